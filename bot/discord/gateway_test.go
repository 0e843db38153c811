package discord

import (
	"context"
	"encoding/json"
	"strings"
	"testing"
	"time"

	"github.com/bwmarrin/discordgo"
	"github.com/gorilla/websocket"

	"github.com/briefbot/briefbot/commands"
)

// scriptGateway makes the fake speak the Gateway: HELLO, then IDENTIFY
// from the client, READY, and one INTERACTION_CREATE.
func scriptGateway(t *testing.T, f *fakeDiscord, interaction []byte) <-chan json.RawMessage {
	identify := make(chan json.RawMessage, 1)
	f.gateway = func(c *websocket.Conn) {
		send := func(v any) bool {
			if err := c.WriteJSON(v); err != nil {
				t.Errorf("gateway write: %v", err)
				return false
			}
			return true
		}
		if !send(map[string]any{"op": 10, "d": map[string]any{"heartbeat_interval": 45000}}) {
			return
		}
		var msg struct {
			Op int             `json:"op"`
			D  json.RawMessage `json:"d"`
		}
		if err := c.ReadJSON(&msg); err != nil || msg.Op != 2 {
			t.Errorf("want IDENTIFY (op 2), got op %d, err %v", msg.Op, err)
			return
		}
		identify <- msg.D
		ready := map[string]any{"v": 9, "session_id": "session-1", "user": map[string]any{"id": testAppID, "username": "briefbot", "bot": true},
			"guilds": []any{}, "application": map[string]any{"id": testAppID}}
		if !send(map[string]any{"op": 0, "t": "READY", "s": 1, "d": ready}) {
			return
		}
		if !send(map[string]any{"op": 0, "t": "INTERACTION_CREATE", "s": 2, "d": json.RawMessage(interaction)}) {
			return
		}
		for { // heartbeats until the client closes
			if _, _, err := c.ReadMessage(); err != nil {
				return
			}
		}
	}
	return identify
}

func TestGatewayAnswerReachesCallback(t *testing.T) {
	f := newFakeDiscord(t)
	identify := scriptGateway(t, f, commandPayload(2, []opt{sub("meetings", str("name", "campbell"))}, nil))
	p, _ := newTestPlatform(t, f, nil)
	if p.Mode() != "gateway" {
		t.Fatalf("mode %s", p.Mode())
	}
	h := answer(meetingsResponse())
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx, h) }()

	cb := f.waitFor("POST", "/interactions/555555555555555555/"+testInteractionToken+"/callback")
	var resp discordgo.InteractionResponse
	if err := json.Unmarshal(cb.Body, &resp); err != nil {
		t.Fatal(err)
	}
	if resp.Type != 4 || resp.Data == nil || len(resp.Data.Embeds) == 0 || resp.Data.Embeds[0].Title != "Meetings" {
		t.Fatalf("callback body %s", cb.Body)
	}
	if cb.Auth != "Bot "+testToken {
		t.Errorf("callback authorization %q", cb.Auth)
	}
	if got := h.last(t); got.Command != "meetings" || got.Option("name") != "campbell" || got.Workspace != testGuildID {
		t.Errorf("request %+v", got)
	}
	var id struct {
		Token   string `json:"token"`
		Intents int    `json:"intents"`
	}
	if err := json.Unmarshal(<-identify, &id); err != nil {
		t.Fatal(err)
	}
	if id.Token != "Bot "+testToken || id.Intents != 0 {
		t.Errorf("IDENTIFY token ok=%v intents %d; want the bot token and no intents", id.Token == "Bot "+testToken, id.Intents)
	}
	if len(f.requests("PUT", "/applications/"+testAppID+"/guilds/"+testGuildID+"/commands")) != 1 {
		t.Error("Serve did not register /brief in the guild")
	}
	cancel()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Serve: %v", err)
		}
	case <-time.After(10 * time.Second):
		t.Fatal("Serve did not return after cancel")
	}
}

func TestGatewaySlowAnswerIsDeferred(t *testing.T) {
	f := newFakeDiscord(t)
	scriptGateway(t, f, commandPayload(2, []opt{sub("timeline")}, nil))
	p, _ := newTestPlatform(t, f, func(c *Config) { c.AnswerBudget = 10 * time.Millisecond })
	release := make(chan struct{})
	h := &recordingHandler{fn: func(ctx context.Context, req commands.Request) (commands.Response, error) {
		<-release
		return timelineResponse(), nil
	}}
	ctx, cancel := context.WithCancel(context.Background())
	defer cancel()
	done := make(chan error, 1)
	go func() { done <- p.Serve(ctx, h) }()
	cb := f.waitFor("POST", "/callback")
	if !strings.HasPrefix(string(cb.Body), `{"type":5`) {
		t.Fatalf("want a deferral, got %s", cb.Body)
	}
	close(release)
	patch := f.waitFor("PATCH", "/webhooks/"+testAppID+"/"+testInteractionToken+"/messages/@original")
	if !strings.Contains(string(patch.Body), `"title":"Timeline"`) {
		t.Errorf("PATCH body %s", patch.Body)
	}
	cancel()
	if err := <-done; err != nil {
		t.Fatal(err)
	}
}
