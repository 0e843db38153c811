package discord

import (
	"io"
	"log/slog"
	"strings"
	"testing"
)

func TestNewValidatesConfig(t *testing.T) {
	logger := slog.New(slog.NewTextHandler(io.Discard, nil))
	key := newSigner(t).publicHex()
	for _, tc := range []struct {
		name string
		cfg  Config
		want string // "" for success
		mode string
	}{
		{"gateway", Config{BotToken: testToken, ApplicationID: testAppID}, "", "gateway"},
		{"gateway with Bot prefix", Config{BotToken: "Bot " + testToken, ApplicationID: testAppID}, "", "gateway"},
		{"http", Config{PublicKey: key, ApplicationID: testAppID}, "", "http"},
		{"http with token", Config{PublicKey: key, BotToken: testToken, ApplicationID: testAppID, GuildID: testGuildID}, "", "http"},
		{"nothing", Config{ApplicationID: testAppID}, "set a bot token", ""},
		{"no application id", Config{BotToken: testToken}, "application id", ""},
		{"token as application id", Config{BotToken: testToken, ApplicationID: testToken}, "application id", ""},
		{"bad guild", Config{BotToken: testToken, ApplicationID: testAppID, GuildID: "general"}, "guild id", ""},
		{"bad role", Config{BotToken: testToken, ApplicationID: testAppID, AdminRoleIDs: []string{"admins"}}, "role ids", ""},
		{"short key", Config{PublicKey: key[:10], ApplicationID: testAppID}, "64 hex characters", ""},
		{"not hex", Config{PublicKey: strings.Repeat("zz", 32), ApplicationID: testAppID}, "64 hex characters", ""},
		{"bad REST base", Config{BotToken: testToken, ApplicationID: testAppID, RESTBaseURL: "ftp://x"}, "REST base URL", ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			p, err := New(tc.cfg, logger)
			if tc.want == "" {
				if err != nil {
					t.Fatal(err)
				}
				defer p.stop()
				if p.Mode() != tc.mode || p.Name() != "discord" {
					t.Errorf("mode %s name %s", p.Mode(), p.Name())
				}
				routes := p.Routes(answer(meetingsResponse()))
				if _, ok := routes["POST "+InteractionsPath]; ok != (tc.mode == "http") {
					t.Errorf("routes %v in %s mode", routes, tc.mode)
				}
				return
			}
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error containing %q, got %v", tc.want, err)
			}
			if strings.Contains(err.Error(), testToken) {
				t.Errorf("the error echoes the token: %v", err)
			}
		})
	}
	if _, err := New(Config{BotToken: testToken, ApplicationID: testAppID}, nil); err == nil {
		t.Error("a nil logger was accepted")
	}
}
