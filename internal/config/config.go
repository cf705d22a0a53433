// Package config holds the settings of the whosaid service. A Config starts
// from Default, is overridden by WHOSAID_* environment variables (LoadEnv),
// then by command-line flags (RegisterFlags before flag parsing), and is
// checked once with Validate. It is passed down by value, never kept in a
// package variable.
package config

import (
	"errors"
	"flag"
	"fmt"
	"math"
	"net"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// Environment variable names.
const (
	EnvAddr     = "WHOSAID_ADDR"
	EnvMongoURI = "WHOSAID_MONGO_URI"
	EnvDataDir  = "WHOSAID_DATA_DIR"
	EnvDB       = "WHOSAID_DB"

	EnvAuth           = "WHOSAID_AUTH"
	EnvRateLimit      = "WHOSAID_RATE_LIMIT"
	EnvRateBurst      = "WHOSAID_RATE_BURST"
	EnvCORSOrigins    = "WHOSAID_CORS_ORIGINS"
	EnvTrustedProxies = "WHOSAID_TRUSTED_PROXIES"

	EnvWebhookAllowPrivate = "WHOSAID_WEBHOOK_ALLOW_PRIVATE"
	EnvModel               = "WHOSAID_MODEL"
	EnvExtractTimeout      = "WHOSAID_EXTRACT_TIMEOUT"
)

// Config is the configuration of `whosaid serve`; `whosaid ingest` uses its
// store settings (MongoURI, DataDir, DB).
type Config struct {
	// Addr is the host:port the HTTP server listens on.
	Addr string
	// MongoURI is the MongoDB connection string. Empty means: start the
	// embedded FerretDB server and store data under DataDir.
	MongoURI string
	// DataDir is the directory of the embedded store's SQLite files. It is
	// created if missing and ignored when MongoURI is set.
	DataDir string
	// DB is the database name inside MongoDB or FerretDB.
	DB string

	// Auth requires an API key on every /v1 route ("on"), or none
	// ("off").
	Auth Switch
	// RateLimit is the sustained requests per second allowed to one API
	// key, or to one client address for requests without a key; 0 turns
	// rate limiting off.
	RateLimit float64
	// RateBurst is how many requests a client may make at once above
	// RateLimit.
	RateBurst int
	// CORSOrigins are the origins browsers may call the API from; empty
	// means no CORS headers (same-origin only), "*" any origin.
	CORSOrigins List
	// TrustedProxies are the addresses or CIDRs of reverse proxies whose
	// X-Forwarded-For names the client; empty means the peer address is
	// the client.
	TrustedProxies List
	// WebhookAllowPrivate lets webhook subscriptions target private,
	// loopback and link-local addresses.
	WebhookAllowPrivate Switch
	// Model is the speaker ranker: a model file written by whosaid train,
	// "rules" for the rule cascade, or empty for the shipped model.
	Model string
	// ExtractTimeout bounds the extraction of one text by the HTTP API
	// (POST /v1/extract, each article of POST /v1/articles and its
	// batch); past it the request gets 503.
	ExtractTimeout time.Duration

	// envErrs are the environment variables LoadEnv could not parse;
	// Validate reports them.
	envErrs []error
}

// Switch is an on/off setting that reads "on", "off", "true", "false",
// "1" or "0".
type Switch bool

// String implements flag.Value.
func (s *Switch) String() string {
	if s != nil && *s {
		return "on"
	}
	return "off"
}

// Set implements flag.Value.
func (s *Switch) Set(v string) error {
	switch strings.ToLower(strings.TrimSpace(v)) {
	case "on", "true", "1", "yes":
		*s = true
	case "off", "false", "0", "no", "":
		*s = false
	default:
		return fmt.Errorf("%q: want on or off", v)
	}
	return nil
}

// List is a comma-separated list setting; blanks around items are dropped.
type List []string

// String implements flag.Value.
func (l *List) String() string {
	if l == nil {
		return ""
	}
	return strings.Join(*l, ",")
}

// Set implements flag.Value.
func (l *List) Set(v string) error {
	*l = nil
	for item := range strings.SplitSeq(v, ",") {
		if item = strings.TrimSpace(item); item != "" {
			*l = append(*l, item)
		}
	}
	return nil
}

// Default returns the built-in defaults.
func Default() Config {
	return Config{
		Addr:      "127.0.0.1:8080",
		DataDir:   "./data",
		DB:        "whosaid",
		RateLimit: 20,
		RateBurst: 40,

		ExtractTimeout: 20 * time.Second,
	}
}

// LoadEnv overrides c with the WHOSAID_* variables that lookup finds set
// (os.LookupEnv in production). A variable set to the empty string counts as
// set, so WHOSAID_MONGO_URI= selects the embedded store.
func (c *Config) LoadEnv(lookup func(string) (string, bool)) {
	for name, dst := range map[string]*string{
		EnvAddr:     &c.Addr,
		EnvMongoURI: &c.MongoURI,
		EnvDataDir:  &c.DataDir,
		EnvDB:       &c.DB,
		EnvModel:    &c.Model,
	} {
		if v, ok := lookup(name); ok {
			*dst = v
		}
	}
	for name, dst := range map[string]flag.Value{
		EnvAuth:           &c.Auth,
		EnvRateLimit:      (*floatValue)(&c.RateLimit),
		EnvRateBurst:      (*intValue)(&c.RateBurst),
		EnvCORSOrigins:    &c.CORSOrigins,
		EnvTrustedProxies: &c.TrustedProxies,

		EnvWebhookAllowPrivate: &c.WebhookAllowPrivate,
		EnvExtractTimeout:      (*durationValue)(&c.ExtractTimeout),
	} {
		if v, ok := lookup(name); ok {
			if err := dst.Set(v); err != nil {
				c.envErrs = append(c.envErrs, fmt.Errorf("%s: %w", name, err))
			}
		}
	}
}

// floatValue and intValue parse like flag's own, for the environment.
type floatValue float64

func (f *floatValue) String() string { return strconv.FormatFloat(float64(*f), 'g', -1, 64) }
func (f *floatValue) Set(v string) error {
	x, err := strconv.ParseFloat(strings.TrimSpace(v), 64)
	if err != nil {
		return fmt.Errorf("%q: want a number", v)
	}
	*f = floatValue(x)
	return nil
}

type intValue int

// durationValue parses a Go duration ("20s", "1m30s") for the environment.
type durationValue time.Duration

func (d *durationValue) String() string { return time.Duration(*d).String() }
func (d *durationValue) Set(v string) error {
	x, err := time.ParseDuration(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("%q: want a duration such as 20s", v)
	}
	*d = durationValue(x)
	return nil
}

func (i *intValue) String() string { return strconv.Itoa(int(*i)) }
func (i *intValue) Set(v string) error {
	x, err := strconv.Atoi(strings.TrimSpace(v))
	if err != nil {
		return fmt.Errorf("%q: want a whole number", v)
	}
	*i = intValue(x)
	return nil
}

// RegisterFlags defines the serve flags on fs with the current values of c
// as defaults, so that flags given on the command line override the
// environment, which overrides the built-in defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "`host:port` to listen on (env "+EnvAddr+")")
	c.RegisterStoreFlags(fs)
	fs.Var(&c.Auth, "auth", "`on|off`: require an API key (whosaid keys create) on every /v1 route (env "+EnvAuth+")")
	fs.Float64Var(&c.RateLimit, "rate-limit", c.RateLimit, "sustained `requests/s` per API key, or per client address without one; 0 turns limits off (env "+EnvRateLimit+")")
	fs.IntVar(&c.RateBurst, "rate-burst", c.RateBurst, "`requests` a client may make at once above --rate-limit (env "+EnvRateBurst+")")
	fs.Var(&c.CORSOrigins, "cors-origins", "comma-separated `origins` browsers may call the API from (https://desk.example.org), * for any; empty: no CORS (env "+EnvCORSOrigins+")")
	fs.Var(&c.WebhookAllowPrivate, "webhook-allow-private", "`on|off`: let webhook subscriptions target private, loopback and link-local addresses (env "+EnvWebhookAllowPrivate+")")
	fs.StringVar(&c.Model, "model", c.Model, "speaker ranker: a `model` file written by 'whosaid train', \"rules\" for the rule cascade, or empty for the shipped model (env "+EnvModel+")")
	fs.DurationVar(&c.ExtractTimeout, "extract-timeout", c.ExtractTimeout, "longest `duration` the extraction of one text may take; past it the request gets 503 (env "+EnvExtractTimeout+")")
	fs.Var(&c.TrustedProxies, "trusted-proxies", "comma-separated `addresses or CIDRs` of reverse proxies whose X-Forwarded-For names the client (env "+EnvTrustedProxies+")")
}

// StoreFlags are the names of the flags RegisterStoreFlags defines.
var StoreFlags = []string{"mongo-uri", "data-dir", "db"}

// RegisterStoreFlags defines only the flags that choose the store
// (--mongo-uri, --data-dir, --db), for commands that open the store but
// serve no HTTP (ingest).
func (c *Config) RegisterStoreFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.MongoURI, "mongo-uri", c.MongoURI, "MongoDB connection `URI`; empty starts the embedded FerretDB store (env "+EnvMongoURI+")")
	fs.StringVar(&c.DataDir, "data-dir", c.DataDir, "`directory` of the embedded store's files, created if missing (env "+EnvDataDir+")")
	fs.StringVar(&c.DB, "db", c.DB, "database `name` (env "+EnvDB+")")
}

// Embedded reports whether c selects the embedded FerretDB store.
func (c Config) Embedded() bool { return c.MongoURI == "" }

// Validate reports every problem of c, joined.
func (c Config) Validate() error {
	var errs []error
	errs = append(errs, c.envErrs...)
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: want host:port", c.Addr))
	}
	if c.RateLimit < 0 || math.IsNaN(c.RateLimit) || math.IsInf(c.RateLimit, 0) {
		errs = append(errs, fmt.Errorf("rate-limit %v: want 0 (off) or a positive number", c.RateLimit))
	}
	if c.RateLimit > 0 && c.RateBurst < 1 {
		errs = append(errs, fmt.Errorf("rate-burst %d: want at least 1", c.RateBurst))
	}
	if c.ExtractTimeout <= 0 {
		errs = append(errs, fmt.Errorf("extract-timeout %v: want a positive duration", c.ExtractTimeout))
	}
	for _, o := range c.CORSOrigins {
		if o == "*" {
			continue
		}
		u, err := url.Parse(o)
		if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" || (u.Path != "" && u.Path != "/") || u.RawQuery != "" {
			errs = append(errs, fmt.Errorf("cors-origins %q: want scheme://host[:port] or *", o))
		}
	}
	for _, p := range c.TrustedProxies {
		if net.ParseIP(p) == nil {
			if _, _, err := net.ParseCIDR(p); err != nil {
				errs = append(errs, fmt.Errorf("trusted-proxies %q: want an IP address or CIDR", p))
			}
		}
	}
	errs = append(errs, c.ValidateStore())
	return errors.Join(errs...)
}

// ValidateStore reports every problem of the store settings (MongoURI,
// DataDir, DB), joined; Addr is not checked.
func (c Config) ValidateStore() error {
	var errs []error
	if c.MongoURI != "" && !strings.HasPrefix(c.MongoURI, "mongodb://") && !strings.HasPrefix(c.MongoURI, "mongodb+srv://") {
		// Do not echo the URI: it may hold a password.
		errs = append(errs, errors.New("mongo-uri: want a mongodb:// or mongodb+srv:// URI"))
	}
	if c.Embedded() && c.DataDir == "" {
		errs = append(errs, errors.New("data-dir: must not be empty when mongo-uri is empty"))
	}
	if err := validateDBName(c.DB); err != nil {
		errs = append(errs, fmt.Errorf("db %q: %w", c.DB, err))
	}
	return errors.Join(errs...)
}

// validateDBName applies MongoDB's rules for database names.
func validateDBName(name string) error {
	if name == "" {
		return errors.New("must not be empty")
	}
	if len(name) > 63 {
		return errors.New("must be at most 63 bytes")
	}
	if i := strings.IndexAny(name, "/\\. \"$*<>:|?\x00"); i >= 0 {
		return fmt.Errorf("must not contain %q", name[i])
	}
	return nil
}
