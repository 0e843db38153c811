// Package pgtest gives tests a PostgreSQL schema of their own on the test
// server named by BRIEFBOT_TEST_POSTGRES, in the way net/http/httptest
// gives them a server: each call creates a new, empty schema, and the test
// drops it when it ends. Tests using it skip when the variable is not set.
//
// The variable holds a connection string to a database the test role may
// create schemas in, for example
//
//	BRIEFBOT_TEST_POSTGRES='postgres://briefbot_test:briefbot_test@127.0.0.1:5432/briefbot_test?sslmode=disable'
//
// (.ci/run sets it up). Schemas, not databases, keep tests apart: creating
// one is fast, so every test (and every conformance case) gets its own, and
// tests of several packages can run at once.
package pgtest

import (
	"context"
	"crypto/rand"
	"encoding/hex"
	"fmt"
	"net/url"
	"os"
	"strings"
	"testing"
	"time"

	"github.com/jackc/pgx/v5"
)

// Env names the variable that holds the test server's connection string.
const Env = "BRIEFBOT_TEST_POSTGRES"

// BaseDSN returns the test server's connection string, or skips the test
// when none is configured.
func BaseDSN(t testing.TB) string {
	t.Helper()
	dsn := strings.TrimSpace(os.Getenv(Env))
	if dsn == "" {
		t.Skipf("%s is not set: no PostgreSQL to test against (set it to a connection string such as "+
			"postgres://briefbot_test:briefbot_test@127.0.0.1:5432/briefbot_test?sslmode=disable, as .ci/run does)", Env)
	}
	return dsn
}

// DSN creates a new, empty schema on the test server and returns a
// connection string whose search_path is that schema. The schema and
// everything in it are dropped when the test and its cleanups end (register
// the closing of stores opened on it after calling DSN, as t.Cleanup runs
// last-in first-out). It skips the test when no server is configured.
func DSN(t testing.TB) string {
	t.Helper()
	base := BaseDSN(t)
	var b [6]byte
	_, _ = rand.Read(b[:]) // crypto/rand.Read never fails
	schema := fmt.Sprintf("bbt_%d_%s", os.Getpid(), hex.EncodeToString(b[:]))
	ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
	defer cancel()
	if err := exec(ctx, base, "CREATE SCHEMA "+schema); err != nil {
		t.Fatalf("create test schema %s on %s: %v", schema, Env, err)
	}
	t.Cleanup(func() {
		ctx, cancel := context.WithTimeout(context.Background(), 30*time.Second)
		defer cancel()
		if err := exec(ctx, base, "SET lock_timeout = '20s'; DROP SCHEMA "+schema+" CASCADE"); err != nil {
			t.Errorf("drop test schema %s: %v (a store left open?)", schema, err)
		}
	})
	dsn, err := WithSearchPath(base, schema)
	if err != nil {
		t.Fatal(err)
	}
	return dsn
}

// WithSearchPath returns the connection string dsn (a URL or keyword/value
// string) with its search_path set to schema.
func WithSearchPath(dsn, schema string) (string, error) {
	if strings.HasPrefix(dsn, "postgres://") || strings.HasPrefix(dsn, "postgresql://") {
		u, err := url.Parse(dsn)
		if err != nil {
			return "", fmt.Errorf("%s is not a valid URL", Env)
		}
		q := u.Query()
		q.Set("search_path", schema)
		u.RawQuery = q.Encode()
		return u.String(), nil
	}
	return dsn + " search_path=" + schema, nil
}

// exec runs statements on a connection of its own.
func exec(ctx context.Context, dsn, sql string) error {
	conn, err := pgx.Connect(ctx, dsn)
	if err != nil {
		return err
	}
	defer conn.Close(context.Background())
	_, err = conn.Exec(ctx, sql)
	return err
}
