package discord

import (
	"context"
	"encoding/json"
	"errors"
	"io"
	"log/slog"
	"reflect"
	"testing"
	"unicode/utf8"

	"github.com/bwmarrin/discordgo"
)

// FuzzDecodeInteraction feeds arbitrary JSON to the interaction decoder and
// the request conversion: nothing may panic, and an accepted request holds
// only the subcommand's own options, within the value limit.
func FuzzDecodeInteraction(f *testing.F) {
	f.Add([]byte(`{"id":"1","application_id":"1","type":1,"token":"t","version":1}`))
	f.Add(commandPayload(2, []opt{sub("meetings", str("name", "campbell"), boolean("private", true))}, nil))
	f.Add(commandPayload(2, []opt{group("feed", sub("add", str("url", "https://example.com/a.rss")))}, nil))
	f.Add(commandPayload(2, []opt{sub("ask", opt{"type": 4, "name": "question", "value": 12.5})}, opt{"permissions": "x"}))
	f.Add(commandPayload(4, []opt{sub("situation", opt{"type": 3, "name": "country", "value": "ch", "focused": true})}, nil))
	f.Add([]byte(`{"type":2,"id":"1","token":"t","data":{"name":"brief","options":[{"type":2,"name":"digest","options":[{"type":2}]}]}}`))
	f.Add([]byte(`{"type":2,"id":"1","token":"t","data":null}`))
	f.Add([]byte(`{"type":3,"data":{"custom_id":"x"}}`))

	p, err := New(Config{PublicKey: newSigner(f).publicHex(), ApplicationID: testAppID, Clock: fixedClock()},
		slog.New(slog.NewTextHandler(io.Discard, nil)))
	if err != nil {
		f.Fatal(err)
	}
	f.Fuzz(func(t *testing.T, body []byte) {
		checkDecoderAgainstEncodingJSON(t, body)
		i, err := DecodeInteraction(body)
		if err != nil {
			return
		}
		switch i.Type {
		case discordgo.InteractionApplicationCommandAutocomplete:
			resp := p.autocomplete(context.Background(), i)
			if len(resp.Data.Choices) > maxChoices {
				t.Fatalf("%d choices", len(resp.Data.Choices))
			}
			return
		case discordgo.InteractionApplicationCommand:
		default:
			return
		}
		req, spec, err := p.Request(i)
		if err != nil {
			return
		}
		if req.Command != spec.Name || req.Platform != "discord" {
			t.Fatalf("request %+v for spec %q", req, spec.Name)
		}
		for k, v := range req.Options {
			_, isArg := argByName(spec, k)
			_, isFlag := flagByName(spec, k)
			if !isArg && !isFlag {
				t.Fatalf("option %q is not one of %q's", k, spec.Name)
			}
			if isFlag && v != "true" {
				t.Fatalf("flag %q = %q", k, v)
			}
			if utf8.RuneCountInString(v) > maxOptionValue || !utf8.ValidString(v) {
				t.Fatalf("option %q has %d characters", k, utf8.RuneCountInString(v))
			}
		}
		for _, a := range spec.Args {
			if a.Required && req.Options[a.Name] == "" {
				t.Fatalf("required %q missing", a.Name)
			}
		}
	})
}

// checkDecoderAgainstEncodingJSON is the differential check: the one-pass
// decoder accepts exactly what encoding/json accepts (short of the depth
// bound) and produces the same struct.
func checkDecoderAgainstEncodingJSON(t *testing.T, body []byte) {
	t.Helper()
	var want, got wireInteraction
	stdErr := json.Unmarshal(body, &want)
	ourErr := decodeWire(body, &got)
	if errors.Is(ourErr, errTooDeep) {
		return
	}
	if (stdErr == nil) != (ourErr == nil) {
		t.Fatalf("encoding/json says %v, the decoder says %v, for %q", stdErr, ourErr, body)
	}
	if stdErr != nil {
		return
	}
	if want.Data != nil {
		normalizeValues(want.Data.Options)
	}
	if !reflect.DeepEqual(want, got) {
		t.Fatalf("decoded differently from encoding/json for %q:\n got %s\nwant %s", body, dump(got), dump(want))
	}
}

func normalizeValues(opts []*discordgo.ApplicationCommandInteractionDataOption) {
	for _, o := range opts {
		if o == nil {
			continue
		}
		switch o.Value.(type) {
		case map[string]any, []any:
			o.Value = complexValue{}
		}
		normalizeValues(o.Options)
	}
}

func dump(w wireInteraction) string {
	b, _ := json.Marshal(w)
	return string(b)
}

// TestDecoderMatchesEncodingJSON runs the differential check on inputs
// chosen for encoding/json's corner cases.
func TestDecoderMatchesEncodingJSON(t *testing.T) {
	for _, in := range []string{
		`null`, ` {} `, `[]`, `"x"`, `{"id":1}`, `{"ID":"upper","id":"lower"}`, `{"Id":"x"}`,
		`{"type":2}`, `{"type":256}`, `{"type":-1}`, `{"type":2.0}`, `{"type":null}`, `{"type":"2"}`,
		`{"member":{"permissions":"8"}}`, `{"member":{"permissions":8}}`, `{"member":{"permissions":"null"}}`,
		`{"member":{"permissions":"1e3"}}`, `{"member":{"permissions":" 1"}}`, `{"member":{"permissions":""}}`,
		`{"member":{"permissions":"-0"}}`, `{"member":{"permissions":"99999999999999999999"}}`,
		`{"member":{"roles":["a"]},"member":{"permissions":"8"}}`, `{"member":null}`, `{"member":"x"}`,
		`{"member":{"roles":[]}}`, `{"member":{"roles":null}}`, `{"member":{"roles":["a","b"]},"member":{"roles":["c"]}}`,
		`{"member":{"roles":["a",null]}}`, `{"member":{"roles":["a","b"]},"member":{"roles":["c",null]}}`,
		`{"data":{"options":[{"name":"a","value":"x"}],"options":[{"type":1}]}}`,
		`{"data":{"options":[{"value":{"a":1}},{"value":[1]},{"value":1e400},{"value":-0.5e-3},{"value":true},{"value":null}]}}`,
		`{"data":{"options":[null,{"focused":true},{"focused":"yes"}]}}`,
		`{"token":"a\u00e9\ud83d\ude00\ud800x\\\/\b\f\n\r\t"}`, "{\"token\":\"bad \xff utf8\"}", "{\"token\":\"ctl \x01\"}",
		`{"t\u006Fken":"escaped key"}`, "{\"\u017Fo\":1}", `{"unknown":{"deep":[1,2,{"x":[true,false,null]}]}}`,
		`{"x":01}`, `{"x":1.}`, `{"x":.5}`, `{"x":-}`, `{"x":1e}`, `{"x":+1}`, `{"x":tru}`, `{"x":"\q"}`, `{"x":"\u12"}`,
		`{"a":1,}`, `{"a" 1}`, `{"a":1 "b":2}`, `{"a":1}x`, `{"a":[1,]}`, `{`, `{"id":"x"`,
	} {
		checkDecoderAgainstEncodingJSON(t, []byte(in))
	}
	for _, b := range [][]byte{realisticPayload(), commandPayload(2, []opt{group("feed", sub("add", str("url", "https://x")))}, nil)} {
		checkDecoderAgainstEncodingJSON(t, b)
	}
}
