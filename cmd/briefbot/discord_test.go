package main

import (
	"bytes"
	"context"
	"encoding/json"
	"strings"
	"testing"
)

func runDiscord(t *testing.T, env map[string]string, args ...string) (string, string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{ctx: context.Background(), getenv: func(k string) string { return env[k] }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	cmd := newDiscordCommand(a)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	err := cmd.ExecuteContext(context.Background())
	return out.String(), errOut.String(), err
}

func TestDiscordRegisterPrint(t *testing.T) {
	out, _, err := runDiscord(t, nil, "register", "--print")
	if err != nil {
		t.Fatal(err)
	}
	var cmds []struct {
		Name    string `json:"name"`
		Options []struct {
			Name string `json:"name"`
			Type int    `json:"type"`
		} `json:"options"`
	}
	if err := json.Unmarshal([]byte(out), &cmds); err != nil {
		t.Fatalf("--print is not JSON: %v\n%s", err, out)
	}
	if len(cmds) != 1 || cmds[0].Name != "brief" || len(cmds[0].Options) < 10 {
		t.Fatalf("unexpected definition: %s", out)
	}
}

func TestDiscordRegisterNamesMissingSettings(t *testing.T) {
	const token = "SECRET-TOKEN-abcdefghijklmnopqrstuvwxyz"
	for _, tc := range []struct {
		name string
		env  map[string]string
		want string
	}{
		{"no token", map[string]string{"DISCORD_APPLICATION_ID": "111111111111111111"}, "DISCORD_BOT_TOKEN"},
		{"no application id", map[string]string{"DISCORD_BOT_TOKEN": token}, "DISCORD_APPLICATION_ID"},
		{"token pasted as application id", map[string]string{"DISCORD_BOT_TOKEN": token, "DISCORD_APPLICATION_ID": token}, "application id"},
		{"bad guild", map[string]string{"DISCORD_BOT_TOKEN": token, "DISCORD_APPLICATION_ID": "111111111111111111", "DISCORD_GUILD_ID": "my server"}, "guild id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			_, stderr, err := runDiscord(t, tc.env, "register")
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("want an error naming %q, got %v", tc.want, err)
			}
			if strings.Contains(err.Error(), token) || strings.Contains(stderr, token) {
				t.Errorf("the token is echoed: %v", err)
			}
		})
	}
}
