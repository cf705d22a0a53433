package config

import (
	"flag"
	"io"
	"strings"
	"testing"

	"github.com/google/go-cmp/cmp"
)

func TestPrecedence(t *testing.T) {
	for _, tc := range []struct {
		name string
		env  map[string]string
		args []string
		want Config
	}{
		{
			name: "defaults",
			want: Config{Addr: "127.0.0.1:8080", DataDir: "./data", DB: "whosaid"},
		},
		{
			name: "env overrides defaults",
			env:  map[string]string{EnvAddr: ":9000", EnvMongoURI: "mongodb://db:27017", EnvDataDir: "/var/lib/whosaid", EnvDB: "news"},
			want: Config{Addr: ":9000", MongoURI: "mongodb://db:27017", DataDir: "/var/lib/whosaid", DB: "news"},
		},
		{
			name: "flags override env",
			env:  map[string]string{EnvAddr: ":9000", EnvMongoURI: "mongodb://db:27017", EnvDB: "news"},
			args: []string{"--addr", ":9100", "--mongo-uri=", "--data-dir", "d", "--db", "other"},
			want: Config{Addr: ":9100", DataDir: "d", DB: "other"},
		},
		{
			name: "empty env value counts as set",
			env:  map[string]string{EnvMongoURI: ""},
			want: Config{Addr: "127.0.0.1:8080", DataDir: "./data", DB: "whosaid"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			c.LoadEnv(func(k string) (string, bool) { v, ok := tc.env[k]; return v, ok })
			fs := flag.NewFlagSet("serve", flag.ContinueOnError)
			fs.SetOutput(io.Discard)
			c.RegisterFlags(fs)
			if err := fs.Parse(tc.args); err != nil {
				t.Fatalf("Parse(%q): %v", tc.args, err)
			}
			if diff := cmp.Diff(tc.want, c); diff != "" {
				t.Errorf("config (-want +got):\n%s", diff)
			}
		})
	}
}

func TestValidate(t *testing.T) {
	for _, tc := range []struct {
		name    string
		edit    func(*Config)
		wantErr string // substring; "" means valid
	}{
		{"default", func(*Config) {}, ""},
		{"mongodb uri", func(c *Config) { c.MongoURI = "mongodb://u:secret@h:27017/x" }, ""},
		{"srv uri", func(c *Config) { c.MongoURI = "mongodb+srv://cluster.example.com" }, ""},
		{"any port", func(c *Config) { c.Addr = ":0" }, ""},
		{"bad addr", func(c *Config) { c.Addr = "8080" }, "addr"},
		{"bad uri", func(c *Config) { c.MongoURI = "http://u:secret@h" }, "mongo-uri"},
		{"no data dir", func(c *Config) { c.DataDir = "" }, "data-dir"},
		{"no data dir with uri", func(c *Config) { c.DataDir = ""; c.MongoURI = "mongodb://h" }, ""},
		{"empty db", func(c *Config) { c.DB = "" }, "db"},
		{"dotted db", func(c *Config) { c.DB = "a.b" }, "db"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := Default()
			tc.edit(&c)
			err := c.Validate()
			switch {
			case tc.wantErr == "" && err != nil:
				t.Errorf("Validate() = %v, want nil", err)
			case tc.wantErr != "" && (err == nil || !strings.Contains(err.Error(), tc.wantErr)):
				t.Errorf("Validate() = %v, want an error about %s", err, tc.wantErr)
			case err != nil && strings.Contains(err.Error(), "secret"):
				t.Errorf("Validate() = %v, leaks the password", err)
			}
		})
	}
}
