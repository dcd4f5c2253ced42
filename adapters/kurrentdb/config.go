package kurrentdb

import (
	"cmp"
	"errors"
	"fmt"
	"log/slog"
	"regexp"
	"strings"
	"time"
)

// Config says where the KurrentDB node or cluster is and which stream
// holds aidtrail's log.
type Config struct {
	// URL is a KurrentDB connection string. The kurrentdb:// and
	// kurrentdb+discover:// schemes are those of aidtrail's --eventstore
	// flag; esdb:// and esdb+discover:// are taken as they are. The query
	// carries the client's settings (tls=false, ...).
	URL string
	// Log names the stream that holds every aidtrail event; "aidtrail" by
	// default. Two deployments may share a KurrentDB under different logs.
	Log string
	// ReadBatch is how many events one read of the log asks for (512).
	ReadBatch int
	// CacheEvents is how many decoded log events this process keeps to
	// answer stream reads without reading the log (20,000); negative
	// keeps none.
	CacheEvents int
	// MinBackoff and MaxBackoff bound the pause before a dropped
	// subscription is resumed; it doubles after each failed attempt
	// (50 ms to 5 s).
	MinBackoff, MaxBackoff time.Duration
	// Logger receives the client's warnings and errors (a lost
	// connection, a rediscovery); nil keeps them quiet.
	Logger *slog.Logger
}

var logName = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_.-]{0,199}$`)

func (c *Config) setDefaults() {
	c.Log = cmp.Or(c.Log, "aidtrail")
	c.ReadBatch = cmp.Or(c.ReadBatch, 512)
	c.CacheEvents = cmp.Or(c.CacheEvents, 20_000)
	c.MinBackoff = cmp.Or(c.MinBackoff, 50*time.Millisecond)
	c.MaxBackoff = cmp.Or(c.MaxBackoff, 5*time.Second)
}

// Validate reports every problem of the configuration at once.
func (c Config) Validate() error {
	var errs []error
	if _, err := ConnectionString(c.URL); err != nil {
		errs = append(errs, err)
	}
	if !logName.MatchString(c.Log) {
		errs = append(errs, fmt.Errorf("kurrentdb: log stream %q: want letters, digits, '_', '.', '-', not starting with '$'", c.Log))
	}
	if c.ReadBatch < 1 {
		errs = append(errs, fmt.Errorf("kurrentdb: read batch %d: want at least 1", c.ReadBatch))
	}
	if c.MinBackoff < 0 || c.MaxBackoff < c.MinBackoff {
		errs = append(errs, fmt.Errorf("kurrentdb: backoff %s to %s: want 0 ≤ min ≤ max", c.MinBackoff, c.MaxBackoff))
	}
	return errors.Join(errs...)
}

// ConnectionString turns aidtrail's kurrentdb:// URL into the connection
// string the client takes (esdb://); esdb:// strings pass unchanged.
func ConnectionString(url string) (string, error) {
	for _, scheme := range []string{"kurrentdb://", "kurrentdb+discover://", "esdb://", "esdb+discover://"} {
		if rest, ok := strings.CutPrefix(url, scheme); ok && rest != "" {
			return strings.Replace(scheme, "kurrentdb", "esdb", 1) + rest, nil
		}
	}
	return "", fmt.Errorf("kurrentdb: URL %q: want kurrentdb://host:port?tls=false (or esdb://...)", redact(url))
}

// redact hides a password in a URL that is echoed in an error.
func redact(url string) string {
	at := strings.LastIndex(url, "@")
	scheme := strings.Index(url, "://")
	if at < 0 || scheme < 0 || at < scheme {
		return url
	}
	return url[:scheme+3] + "…@" + url[at+1:]
}

// IsURL reports whether s names a KurrentDB event store (as the serve
// flag --eventstore may).
func IsURL(s string) bool {
	return strings.HasPrefix(s, "kurrentdb://") || strings.HasPrefix(s, "kurrentdb+discover://") ||
		strings.HasPrefix(s, "esdb://") || strings.HasPrefix(s, "esdb+discover://")
}

// clientLogging routes the client's log lines to l: errors and warnings
// at their levels, the rest at debug.
func clientLogging(l *slog.Logger) func(level string, format string, args ...any) {
	return func(level string, format string, args ...any) {
		if l == nil {
			return
		}
		msg := "kurrentdb client: " + fmt.Sprintf(format, args...)
		switch level {
		case "error":
			l.Error(msg)
		case "warn":
			l.Warn(msg)
		default:
			l.Debug(msg)
		}
	}
}
