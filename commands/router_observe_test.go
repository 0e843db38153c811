package commands_test

import (
	"context"
	"errors"
	"testing"
	"time"

	"github.com/briefbot/briefbot/briefings"
	"github.com/briefbot/briefbot/commands"
)

// observed is one call of a Router's observer.
type observed struct {
	command string
	code    briefings.Code // "" for a nil error
	d       time.Duration
}

// The observer sees every command once, after it is handled, with its
// canonical name and the error the user saw; without an observer nothing
// changes.
func TestRouterObserve(t *testing.T) {
	r := seeded(t)
	var got []observed
	extraFailed := errors.New("store down")
	r2 := commands.NewRouter(nil, commands.Extra{
		"digest now": func(ctx context.Context, req commands.Request) (commands.Response, error) {
			return commands.Response{}, extraFailed
		},
	}, nil)
	record := func(ctx context.Context, command string, err error, d time.Duration) {
		o := observed{command: command, d: d}
		if err != nil {
			o.code = briefings.ErrorCode(err)
		}
		got = append(got, o)
	}
	before := ask(t, r, "meetings")
	r.Observe(record)
	r2.Observe(record)
	cases := []struct {
		router *commands.Router
		req    commands.Request
		want   observed
	}{
		{r, commands.Request{Text: "met"}, observed{command: "meetings"}},
		{r, commands.Request{Command: "who", Options: map[string]string{"name": "Campbell"}}, observed{command: "who"}},
		{r, commands.Request{Text: "who Nobody Atall"}, observed{command: "who", code: briefings.CodeNotFound}},
		{r, commands.Request{Text: "frobnicate"}, observed{code: briefings.CodeInvalid}},
		{r, commands.Request{Text: "ingest https://example.org/a"}, observed{code: briefings.CodeForbidden}},
		{r, commands.Request{Text: "help"}, observed{command: "help"}},
		{r2, commands.Request{Text: "digest now"}, observed{command: "digest now", code: briefings.CodeInternal}},
		{r2, commands.Request{Text: "history"}, observed{command: "history", code: briefings.CodeUnavailable}},
	}
	for _, c := range cases {
		got = nil
		c.req.Platform = "test"
		resp, err := c.router.Handle(context.Background(), c.req)
		if err != nil {
			t.Fatalf("%+v: %v", c.req, err)
		}
		if len(got) != 1 {
			t.Fatalf("%+v: observer called %d times, want once", c.req, len(got))
		}
		if got[0].command != c.want.command || got[0].code != c.want.code {
			t.Errorf("%+v: observed %q %q, want %q %q", c.req, got[0].command, got[0].code, c.want.command, c.want.code)
		}
		if got[0].d <= 0 {
			t.Errorf("%+v: duration %v", c.req, got[0].d)
		}
		if (c.want.code != "") != (resp.Kind == commands.KindError) {
			t.Errorf("%+v: response kind %s with observed error %q", c.req, resp.Kind, c.want.code)
		}
	}
	if after := ask(t, r, "meetings"); after.Text != before.Text {
		t.Error("observing changed the answer")
	}
}
