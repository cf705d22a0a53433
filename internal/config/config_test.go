package config

import (
	"flag"
	"io"
	"strings"
	"testing"
	"time"

	"github.com/google/go-cmp/cmp"
	"github.com/google/go-cmp/cmp/cmpopts"
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
			want: Config{Addr: "127.0.0.1:8080", DataDir: "./data", DB: "whosaid", RateLimit: 20, RateBurst: 40, ExtractTimeout: 20 * time.Second},
		},
		{
			name: "env overrides defaults",
			env:  map[string]string{EnvAddr: ":9000", EnvMongoURI: "mongodb://db:27017", EnvDataDir: "/var/lib/whosaid", EnvDB: "news"},
			want: Config{Addr: ":9000", MongoURI: "mongodb://db:27017", DataDir: "/var/lib/whosaid", DB: "news", RateLimit: 20, RateBurst: 40, ExtractTimeout: 20 * time.Second},
		},
		{
			name: "flags override env",
			env:  map[string]string{EnvAddr: ":9000", EnvMongoURI: "mongodb://db:27017", EnvDB: "news", EnvExtractTimeout: "5s"},
			args: []string{"--addr", ":9100", "--mongo-uri=", "--data-dir", "d", "--db", "other", "--extract-timeout", "1m"},
			want: Config{Addr: ":9100", DataDir: "d", DB: "other", RateLimit: 20, RateBurst: 40, ExtractTimeout: time.Minute},
		},
		{
			name: "empty env value counts as set",
			env:  map[string]string{EnvMongoURI: ""},
			want: Config{Addr: "127.0.0.1:8080", DataDir: "./data", DB: "whosaid", RateLimit: 20, RateBurst: 40, ExtractTimeout: 20 * time.Second},
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
			if diff := cmp.Diff(tc.want, c, cmpopts.IgnoreUnexported(Config{})); diff != "" {
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
		{"rate limit off", func(c *Config) { c.RateLimit = 0; c.RateBurst = 0 }, ""},
		{"negative rate limit", func(c *Config) { c.RateLimit = -1 }, "rate-limit"},
		{"zero burst", func(c *Config) { c.RateBurst = 0 }, "rate-burst"},
		{"no extraction deadline", func(c *Config) { c.ExtractTimeout = 0 }, "extract-timeout"},
		{"cors origins", func(c *Config) { c.CORSOrigins = List{"https://desk.example.org", "http://localhost:5173", "*"} }, ""},
		{"cors origin with path", func(c *Config) { c.CORSOrigins = List{"https://desk.example.org/app"} }, "cors-origins"},
		{"cors origin without scheme", func(c *Config) { c.CORSOrigins = List{"desk.example.org"} }, "cors-origins"},
		{"trusted proxies", func(c *Config) { c.TrustedProxies = List{"10.0.0.0/8", "127.0.0.1", "::1"} }, ""},
		{"bad trusted proxy", func(c *Config) { c.TrustedProxies = List{"proxy.local"} }, "trusted-proxies"},
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

func TestProductionSettings(t *testing.T) {
	env := map[string]string{
		EnvAuth:           "on",
		EnvRateLimit:      "2.5",
		EnvRateBurst:      "7",
		EnvCORSOrigins:    " https://a.example , https://b.example ,",
		EnvTrustedProxies: "10.0.0.0/8",

		EnvWebhookAllowPrivate: "true",
		EnvExtractTimeout:      "45s",
	}
	c := Default()
	c.LoadEnv(func(k string) (string, bool) { v, ok := env[k]; return v, ok })
	if err := c.Validate(); err != nil {
		t.Fatalf("Validate: %v", err)
	}
	want := Config{Addr: "127.0.0.1:8080", DataDir: "./data", DB: "whosaid", Auth: true, RateLimit: 2.5, RateBurst: 7,
		CORSOrigins: List{"https://a.example", "https://b.example"}, TrustedProxies: List{"10.0.0.0/8"}, WebhookAllowPrivate: true, ExtractTimeout: 45 * time.Second}
	if diff := cmp.Diff(want, c, cmpopts.IgnoreUnexported(Config{})); diff != "" {
		t.Errorf("from env (-want +got):\n%s", diff)
	}

	// Flags override: --auth off wins over WHOSAID_AUTH=on.
	fs := flag.NewFlagSet("serve", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	c.RegisterFlags(fs)
	if err := fs.Parse([]string{"--auth=off", "--rate-limit", "0", "--cors-origins", "*"}); err != nil {
		t.Fatal(err)
	}
	if c.Auth || c.RateLimit != 0 || len(c.CORSOrigins) != 1 || c.CORSOrigins[0] != "*" {
		t.Errorf("after flags: auth %v, rate %v, cors %q", c.Auth, c.RateLimit, c.CORSOrigins)
	}
	if err := fs.Parse([]string{"--auth=maybe"}); err == nil {
		t.Error("--auth=maybe parsed without error")
	}

	// Unparsable environment values are reported by Validate, by name.
	bad := map[string]string{EnvAuth: "sometimes", EnvRateLimit: "fast", EnvRateBurst: "1.5", EnvExtractTimeout: "soon"}
	c = Default()
	c.LoadEnv(func(k string) (string, bool) { v, ok := bad[k]; return v, ok })
	err := c.Validate()
	for name := range bad {
		if err == nil || !strings.Contains(err.Error(), name) {
			t.Errorf("Validate() = %v, want it to name %s", err, name)
		}
	}
}
