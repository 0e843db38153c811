package discord

import (
	"bytes"
	"encoding/json"
	"testing"

	"github.com/bwmarrin/discordgo"

	"github.com/briefbot/briefbot/commands"
)

func stdJSON(t testing.TB, v any) []byte {
	t.Helper()
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(v); err != nil {
		t.Fatal(err)
	}
	return buf.Bytes()
}

// TestEncodeMatchesEncodingJSON pins the direct encoder to encoding/json's
// output for every response the adapter sends.
func TestEncodeMatchesEncodingJSON(t *testing.T) {
	var values []any
	for _, r := range []commands.Response{meetingsResponse(), statusResponse(), timelineResponse(), helpResponse(),
		errorResponse(), digestResponse(), hostileResponse(), longResponse(), subscriptionResponse()} {
		ir, _ := RenderInteraction(r)
		values = append(values, ir)
	}
	values = append(values,
		&discordgo.InteractionResponse{Type: discordgo.InteractionResponsePong},
		&discordgo.InteractionResponse{Type: discordgo.InteractionResponseDeferredChannelMessageWithSource},
		&discordgo.InteractionResponse{Type: 5, Data: &discordgo.InteractionResponseData{Flags: EphemeralFlag}},
		&discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{Content: "x", Embeds: []*discordgo.MessageEmbed{{Fields: []*discordgo.MessageEmbedField{{Name: "a", Value: "b", Inline: true}}, Footer: &discordgo.MessageEmbedFooter{}}}}},
		&discordgo.InteractionResponse{Type: 4, Data: &discordgo.InteractionResponseData{Embeds: []*discordgo.MessageEmbed{{URL: "https://x"}}}}, // fallback path
		&autocompleteResponse{Type: 8},
	)
	for i, v := range values {
		got, err := encodeJSON(v)
		if err != nil {
			t.Fatal(err)
		}
		if want := stdJSON(t, v); !bytes.Equal(got, want) {
			t.Errorf("value %d:\n got %s\nwant %s", i, got, want)
		}
	}
}

func FuzzAppendString(f *testing.F) {
	for _, s := range []string{"", "plain", "quote \" back \\ nl \n cr \r tab \t", "\x00\x01\x1f\x7f", "\b\f", "\u2028\u2029", "é🙂", "\xff\xfe bad", "<>&"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		got := appendString(nil, s)
		want := stdJSON(t, s)
		if !bytes.Equal(append(got, '\n'), want) {
			t.Fatalf("appendString(%q) = %s, want %s", s, got, want)
		}
	})
}
