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
	"net"
	"strings"
)

// Environment variable names.
const (
	EnvAddr     = "WHOSAID_ADDR"
	EnvMongoURI = "WHOSAID_MONGO_URI"
	EnvDataDir  = "WHOSAID_DATA_DIR"
	EnvDB       = "WHOSAID_DB"
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
}

// Default returns the built-in defaults.
func Default() Config {
	return Config{
		Addr:    "127.0.0.1:8080",
		DataDir: "./data",
		DB:      "whosaid",
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
	} {
		if v, ok := lookup(name); ok {
			*dst = v
		}
	}
}

// RegisterFlags defines the serve flags on fs with the current values of c
// as defaults, so that flags given on the command line override the
// environment, which overrides the built-in defaults.
func (c *Config) RegisterFlags(fs *flag.FlagSet) {
	fs.StringVar(&c.Addr, "addr", c.Addr, "`host:port` to listen on (env "+EnvAddr+")")
	c.RegisterStoreFlags(fs)
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
	if _, _, err := net.SplitHostPort(c.Addr); err != nil {
		errs = append(errs, fmt.Errorf("addr %q: want host:port", c.Addr))
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
