package main

import (
	"bytes"
	"context"
	"strings"
	"testing"
)

func runManifest(t *testing.T, args ...string) (string, error) {
	t.Helper()
	var out, errOut bytes.Buffer
	a := &app{ctx: context.Background(), getenv: func(string) string { return "" }, stdin: strings.NewReader(""), stdout: &out, stderr: &errOut}
	cmd := newManifestCommand(a)
	cmd.SetArgs(args)
	cmd.SetOut(&out)
	cmd.SetErr(&errOut)
	cmd.SilenceUsage, cmd.SilenceErrors = true, true
	err := cmd.Execute()
	return out.String(), err
}

func TestManifestSlackCommand(t *testing.T) {
	tests := []struct {
		args    []string
		want    []string
		notWant []string
	}{
		{[]string{"slack"}, []string{`command: "/brief"`, `url: "https://briefbot.example.com/slack/commands"`, "socket_mode_enabled: false", `"chat:write.public"`}, nil},
		{[]string{"slack", "--url", "https://bot.example.org"}, []string{`url: "https://bot.example.org/slack/commands"`}, nil},
		{[]string{"slack", "--socket"}, []string{"socket_mode_enabled: true", "usage_hint:"}, []string{"url:"}},
	}
	for _, tt := range tests {
		t.Run(strings.Join(tt.args, " "), func(t *testing.T) {
			out, err := runManifest(t, tt.args...)
			if err != nil {
				t.Fatal(err)
			}
			for _, w := range tt.want {
				if !strings.Contains(out, w) {
					t.Errorf("output lacks %s:\n%s", w, out)
				}
			}
			for _, w := range tt.notWant {
				if strings.Contains(out, w) {
					t.Errorf("output has %s:\n%s", w, out)
				}
			}
		})
	}
	if _, err := runManifest(t, "slack", "--url", "http://insecure.example.org"); err == nil || !strings.Contains(err.Error(), "https") {
		t.Fatalf("http URL accepted: %v", err)
	}
	if _, err := runManifest(t, "slack", "extra"); err == nil {
		t.Fatal("extra argument accepted")
	}
}
