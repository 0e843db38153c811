package console

import (
	"go/parser"
	"go/token"
	"os"
	"strconv"
	"strings"
	"testing"
)

// TestImports keeps DESIGN.md's rules: the console adapter does not import
// its siblings, the configuration, a store or a chat SDK.
func TestImports(t *testing.T) {
	forbidden := []string{
		"github.com/briefbot/briefbot/bot/slack", "github.com/briefbot/briefbot/bot/discord",
		"github.com/briefbot/briefbot/config", "github.com/briefbot/briefbot/briefings/sqlite",
		"github.com/briefbot/briefbot/briefings/postgres", "github.com/slack-go/", "github.com/bwmarrin/",
		"github.com/robfig/cron", "modernc.org/sqlite", "github.com/jackc/",
	}
	for _, dir := range []string{".", "consoletest"} {
		entries, err := os.ReadDir(dir)
		if err != nil {
			t.Fatal(err)
		}
		for _, e := range entries {
			if !strings.HasSuffix(e.Name(), ".go") {
				continue
			}
			f, err := parser.ParseFile(token.NewFileSet(), dir+"/"+e.Name(), nil, parser.ImportsOnly)
			if err != nil {
				t.Fatal(err)
			}
			for _, imp := range f.Imports {
				path, _ := strconv.Unquote(imp.Path.Value)
				for _, bad := range forbidden {
					if strings.HasPrefix(path, bad) {
						t.Errorf("%s/%s imports %s", dir, e.Name(), path)
					}
				}
			}
		}
	}
}
