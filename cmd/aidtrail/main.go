// Command aidtrail runs the aidtrail service and its tools.
//
//	aidtrail serve [--addr host:port] [--data dir | --database-url url]
//	aidtrail migrate [--data dir | --database-url url]
//	aidtrail project --database-url url
//	aidtrail rebuild PROJECTION [--data dir | --database-url url]
//	aidtrail bench append [--database-url url] [--duration 5s] [--concurrency 1,8,32] [--read-events 200000]
//
// The environment is read here, once: AIDTRAIL_DATABASE_URL is the default
// of --database-url for serve and migrate.
package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	os.Exit(mainCode())
}

func mainCode() int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	// After the first signal, a second one kills the process at once.
	context.AfterFunc(ctx, stop)

	env := environment{
		DatabaseURL:    os.Getenv("AIDTRAIL_DATABASE_URL"),
		BootstrapToken: os.Getenv("AIDTRAIL_BOOTSTRAP_TOKEN"),
		MasterKey:      os.Getenv("AIDTRAIL_MASTER_KEY"),
		SealKey:        os.Getenv("AIDTRAIL_SEAL_KEY"),
	}
	err := run(ctx, os.Args[1:], env, os.Stdout, os.Stderr)
	switch {
	case err == nil:
		return 0
	case errors.Is(err, flag.ErrHelp):
		return 0
	case errors.Is(err, errUsage):
		return 2
	default:
		fmt.Fprintln(os.Stderr, "aidtrail:", err)
		return 1
	}
}

// environment holds the variables aidtrail reads, read once in main.
type environment struct {
	DatabaseURL    string // AIDTRAIL_DATABASE_URL
	BootstrapToken string // AIDTRAIL_BOOTSTRAP_TOKEN
	MasterKey      string // AIDTRAIL_MASTER_KEY, base64
	SealKey        string // AIDTRAIL_SEAL_KEY, the audit log's private signing key
}

// errUsage marks a command line that could not be parsed; the flag package
// has printed the reason and the usage already.
var errUsage = errors.New("usage")

const usage = `aidtrail — event-sourced case management for trade-union financial aid

Usage:
  aidtrail serve     serve the HTTP API (embedded store in ./aidtrail-data by default)
  aidtrail migrate   apply the event store's schema migrations and exit
  aidtrail project   run projection workers for "serve --broker postgres" (PostgreSQL only)
  aidtrail rebuild PROJECTION|--all
                     rebuild read models from position 0 beside the live ones, then switch
  aidtrail healthcheck [--url http://127.0.0.1:8080/readyz]
                     exit 0 when the service answers ready (for container health checks)
  aidtrail rotate-master-key --new-master-key-file FILE --reason TEXT
                     re-wrap every person's data key under a new master key (service stopped)
  aidtrail new-seal-key
                     print a new signing key for the audit log (AIDTRAIL_SEAL_KEY)
  aidtrail audit export --out FILE [--from POSITION]
                     write the audit log's bundle: events, leaf hashes, signed heads
  aidtrail verify [FILE] [--public-key KEY] [--seal]
                     check the history (or a bundle, offline) against its signed audit log;
                     names the first bad position
  aidtrail whatif --draft FILE --from YYYY-MM --to YYYY-MM [--unit ID] [--format json|csv|xlsx] [--out FILE]
                     replay a draft of a standard over the cases decided under it, as
                     POST /v1/analysis/what-if does; the run is recorded
  aidtrail bench append|cases|projections|audit|discovery|whatif
                     measure appends against raw INSERTs, whole case lifecycles over HTTP,
                     the read models' rebuild and lag, trails, proofs and verification,
                     or a what-if replay of a year of cases

Run "aidtrail <command> -h" for a command's flags.
`

// run dispatches a command line. stdout receives a command's results;
// stderr its logs and usage messages.
func run(ctx context.Context, args []string, env environment, stdout, stderr io.Writer) error {
	if len(args) == 0 {
		fmt.Fprint(stderr, usage)
		return errUsage
	}
	switch args[0] {
	case "serve":
		return runServe(ctx, args[1:], env, stderr)
	case "migrate":
		return runMigrate(ctx, args[1:], env, stderr)
	case "project":
		return runProject(ctx, args[1:], env, stderr)
	case "rebuild":
		return runRebuild(ctx, args[1:], env, stdout, stderr)
	case "healthcheck":
		return runHealthcheck(ctx, args[1:], stdout, stderr)
	case "new-seal-key":
		return runNewSealKey(stdout, stderr)
	case "audit":
		return runAudit(ctx, args[1:], env, stdout, stderr)
	case "verify":
		return runVerify(ctx, args[1:], env, stdout, stderr)
	case "rotate-master-key":
		return runRotateMasterKey(ctx, args[1:], env, stdout, stderr)
	case "whatif":
		return runWhatIf(ctx, args[1:], env, stdout, stderr)
	case "bench":
		return runBench(ctx, args[1:], stdout, stderr)
	case "help", "-h", "--help":
		fmt.Fprint(stdout, usage)
		return nil
	default:
		fmt.Fprintf(stderr, "aidtrail: unknown command %q\n\n%s", args[0], usage)
		return errUsage
	}
}

// parseWithArguments parses args into fs, flags and arguments in any
// order, and returns the arguments.
func parseWithArguments(fs *flag.FlagSet, args []string) ([]string, error) {
	var rest []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				return nil, err
			}
			return nil, errUsage
		}
		if fs.NArg() == 0 {
			return rest, nil
		}
		rest = append(rest, fs.Arg(0))
		args = fs.Args()[1:]
	}
}

// parseFlags parses args into fs, mapping the flag package's outcomes to
// run's errors.
func parseFlags(fs *flag.FlagSet, args []string) error {
	if err := fs.Parse(args); err != nil {
		if errors.Is(err, flag.ErrHelp) {
			return err
		}
		return errUsage
	}
	if fs.NArg() > 0 {
		fmt.Fprintf(fs.Output(), "%s: unexpected argument %q\n", fs.Name(), fs.Arg(0))
		fs.Usage()
		return errUsage
	}
	return nil
}
