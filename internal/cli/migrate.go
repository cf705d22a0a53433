package cli

import (
	"context"
	"encoding/json"
	"errors"
	"flag"
	"fmt"

	"os"
	"path/filepath"
	"slices"
	"strings"
	"time"

	"github.com/whosaid/whosaid/internal/config"
	"github.com/whosaid/whosaid/internal/dump"
	"github.com/whosaid/whosaid/internal/legacy"
)

// Migrate's backup directories are named backupPrefix + a UTC timestamp,
// and hold migratedMarker once the import into the new store is complete.
const (
	backupPrefix   = legacy.BackupPrefix
	migratedMarker = legacy.MigratedMarker
)

// migrateCommand converts a data directory of the releases that ran on
// FerretDB into the store this release opens.
func migrateCommand() command {
	return command{
		name: "migrate",
		args: "--data-dir DIR",
		summary: "convert a data directory of an earlier release (FerretDB's SQLite files) into the store serve opens: " +
			"the old files move to DIR/" + backupPrefix + "<time>/ (never deleted), then everything in them is stored " +
			"under its own ids; run again, it finishes an interrupted migration and otherwise does nothing; " +
			"with --mongo-uri the data goes to MongoDB instead",
		setup: func(fs *flag.FlagSet, env *Env) runFunc {
			cfg := config.Default()
			cfg.LoadEnv(env.LookupEnv)
			cfg.RegisterStoreFlags(fs)
			from := fs.String("from-db", "", "the earlier release's database `name` (its --db) when DIR holds several; empty: the one there is")
			return func(ctx context.Context, args []string) error {
				if len(args) > 0 {
					return usageErrorf("unexpected arguments %q", args)
				}
				if cfg.DataDir == "" {
					return usageErrorf("--data-dir is required")
				}
				if err := cfg.ValidateStore(); err != nil {
					return usageErrorf("invalid configuration: %v", err)
				}
				return migrate(ctx, env, cfg, *from)
			}
		},
	}
}

// migrate moves the FerretDB files of database from (or of the one
// database there is) out of the data directory into a backup directory
// first, so that the new store never meets them,
// then imports them from there and marks the backup as migrated. A run
// cut short anywhere is finished by the next one: the import adds what
// is missing only.
func migrate(ctx context.Context, env *Env, cfg config.Config, from string) error {
	dir := cfg.DataDir
	files, err := legacy.Files(dir)
	if err != nil {
		return err
	}
	if from != "" {
		files = slices.DeleteFunc(files, func(p string) bool { return filepath.Base(p) != from+legacy.Extension })
	}
	if len(files) > 1 {
		return fmt.Errorf("%s holds the FerretDB files of several databases (%s): migrate each with --from-db NAME, its name without %s",
			dir, baseNames(files), legacy.Extension)
	}
	backup, file, done, err := findBackup(dir, from)
	if err != nil {
		return err
	}
	if len(files) == 1 {
		if backup != "" && file != filepath.Base(files[0]) {
			backup, done = "", false // a backup of another database
		}
		file = filepath.Base(files[0])
	}
	moved := false
	switch {
	case len(files) == 1 && backup != "" && !done:
		return fmt.Errorf("%s holds %s and an unfinished migration of it in %s: move one of them away, then run migrate again", dir, file, backup)
	case len(files) == 1:
		if backup, err = moveToBackup(dir, file); err != nil {
			return err
		}
		moved = true
		fmt.Fprintf(env.Stderr, "moved the FerretDB files of %s to %s\n", file, backup)
	case backup == "":
		fmt.Fprintf(env.Stdout, "nothing to migrate: %s holds no FerretDB files\n", dir)
		return nil
	case done:
		fmt.Fprintf(env.Stdout, "nothing to migrate: %s was migrated before (its files are in %s)\n", dir, backup)
		return nil
	default:
		// Cut short while moving: the rest of the files follow the
		// database.
		if err := moveFiles(dir, backup, file+"-wal", file+"-shm"); err != nil {
			return err
		}
		fmt.Fprintf(env.Stderr, "finishing the migration of %s\n", backup)
	}

	// Until the first record is imported, a failure puts the files back.
	undo := func(err error) error {
		if !moved {
			return err
		}
		if uerr := moveFiles(backup, dir, file, file+"-wal", file+"-shm"); uerr != nil {
			return errors.Join(err, uerr)
		}
		_ = os.Remove(backup)
		return fmt.Errorf("%w (the FerretDB files are back in %s)", err, dir)
	}
	st, err := openMigrateTarget(ctx, cfg, env)
	if err != nil {
		return undo(err)
	}
	defer st.Close()
	im, ok := any(st.Store).(dump.Importer)
	if !ok {
		return undo(fmt.Errorf("the %s store cannot import", st.Kind))
	}
	var read dumpCounts
	res := importResult{progress: env.Stderr}
	stats, err := legacy.Read(ctx, filepath.Join(backup, file), func(r dump.Record) error {
		read.add(r)
		added, err := im.Import(ctx, r)
		if err != nil {
			return fmt.Errorf("import %s: %w", r.Type, err)
		}
		res.note(r, added)
		return nil
	})
	res.print(env.Stdout)
	if err != nil {
		return fmt.Errorf("migrate %s: %w (run migrate again to finish)", filepath.Join(backup, file), err)
	}
	if len(stats.Pending) > 0 {
		fmt.Fprintf(env.Stderr, "%d articles were half stored by an ingest cut short in the earlier release (%s): their quotes may be incomplete; "+
			"delete and ingest them again to complete them\n", len(stats.Pending), strings.Join(stats.Pending, ", "))
	}
	if stats.Orphans > 0 {
		fmt.Fprintf(env.Stderr, "left out %d quotes of articles no longer stored\n", stats.Orphans)
	}
	marker, err := json.MarshalIndent(map[string]any{
		"migrated_at": time.Now().UTC().Truncate(time.Second), "file": file, "store": st.Kind,
		"read": read, "added": res.added, "stored_already": res.skipped,
	}, "", "  ")
	if err != nil {
		return err
	}
	if err := os.WriteFile(filepath.Join(backup, migratedMarker), append(marker, '\n'), 0o600); err != nil {
		return fmt.Errorf("mark %s migrated: %w", backup, err)
	}
	fmt.Fprintf(env.Stderr, "migrated %s into the %s store; the old files stay in %s\n", read.summary(), st.Kind, backup)
	return nil
}

// openMigrateTarget is openReadyStore without the check that refuses a
// data directory with an unfinished migration: the one migrate finishes.
func openMigrateTarget(ctx context.Context, cfg config.Config, env *Env) (*openedStore, error) {
	st, err := openUncheckedStore(cfg, env.Logger, nil)
	if err != nil {
		return nil, err
	}
	return st.ready(ctx, dumpOpenTimeout)
}

// findBackup returns the newest backup directory of dir, the FerretDB
// file in it (of database from, or any), and whether its migration
// completed.
func findBackup(dir, from string) (backup, file string, done bool, err error) {
	entries, err := os.ReadDir(dir)
	if errors.Is(err, os.ErrNotExist) {
		return "", "", false, nil
	}
	if err != nil {
		return "", "", false, fmt.Errorf("read data directory: %w", err)
	}
	// Names end in a timestamp: the last in order is the newest.
	for _, e := range slices.Backward(entries) {
		if !e.IsDir() || !strings.HasPrefix(e.Name(), backupPrefix) {
			continue
		}
		b := filepath.Join(dir, e.Name())
		files, err := legacy.Files(b)
		if err != nil {
			return "", "", false, err
		}
		for _, f := range files {
			if from == "" || filepath.Base(f) == from+legacy.Extension {
				_, err := os.Stat(filepath.Join(b, migratedMarker))
				return b, filepath.Base(f), err == nil, nil
			}
		}
	}
	return "", "", false, nil
}

// moveToBackup moves file and its -wal and -shm companions from dir into a
// new backup directory beside them (a rename: same file system, nothing
// copied, nothing deleted).
func moveToBackup(dir, file string) (string, error) {
	b := filepath.Join(dir, backupPrefix+time.Now().UTC().Format("20060102T150405Z"))
	if err := os.Mkdir(b, 0o700); err != nil {
		return "", fmt.Errorf("make backup directory: %w", err)
	}
	// The database first: once it is in the backup, a run cut short is
	// finished by the next, which moves the rest.
	if err := os.Rename(filepath.Join(dir, file), filepath.Join(b, file)); err != nil {
		return "", fmt.Errorf("move %s to %s: %w", file, b, err)
	}
	return b, moveFiles(dir, b, file+"-wal", file+"-shm")
}

// moveFiles moves those of names that are in dir into backup.
func moveFiles(dir, backup string, names ...string) error {
	for _, name := range names {
		err := os.Rename(filepath.Join(dir, name), filepath.Join(backup, name))
		if err != nil && !errors.Is(err, os.ErrNotExist) {
			return fmt.Errorf("move %s to %s: %w", name, backup, err)
		}
	}
	return nil
}

func baseNames(paths []string) string {
	names := make([]string, len(paths))
	for i, p := range paths {
		names[i] = filepath.Base(p)
	}
	return strings.Join(names, ", ")
}
