package cli

import (
	"errors"
	"flag"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// newFlagSet returns a flag set that reports errors to its caller instead of
// printing them, so every message goes out in one format.
func (c *call) newFlagSet() *flag.FlagSet {
	fs := flag.NewFlagSet("guildgate "+c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

// parse parses flags wherever they stand among the arguments and returns the
// positional ones. Go's flag package stops at the first non-flag, but
// operators write "group add Board --description D" as often as the other
// order, so parsing resumes after each positional. A "--" ends flags.
func (c *call) parse(fs *flag.FlagSet, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			return nil, c.flagError(fs, err)
		}
		rest := fs.Args()
		if len(rest) == 0 {
			return pos, nil
		}
		if consumed := len(args) - len(rest); consumed > 0 && args[consumed-1] == "--" {
			return append(pos, rest...), nil
		}
		pos, args = append(pos, rest[0]), rest[1:]
	}
}

// errHelpShown means -h was asked for and answered; the exit status is 0.
var errHelpShown = errors.New("help shown")

func (c *call) flagError(fs *flag.FlagSet, err error) error {
	if errors.Is(err, flag.ErrHelp) {
		fmt.Fprint(c.stdout, c.help(fs))
		return errHelpShown
	}
	msg := strings.Replace(err.Error(), "flag provided but not defined: ", "unknown flag ", 1)
	return c.usage("%s", msg)
}

// help is the full usage of one command: its synopsis and every flag.
func (c *call) help(fs *flag.FlagSet) string {
	var b strings.Builder
	fmt.Fprintf(&b, "usage: guildgate %s %s\n\nflags:\n", c.name, c.synopsis)
	fs.SetOutput(&b)
	fs.PrintDefaults()
	fs.SetOutput(io.Discard)
	return b.String()
}

// usage builds a usage error that names this command's synopsis.
func (c *call) usage(format string, a ...any) error {
	return &usageError{
		msg:  c.name + ": " + fmt.Sprintf(format, a...),
		help: fmt.Sprintf("usage: guildgate %s %s\nRun 'guildgate %s -h' for the flags.\n", c.name, c.synopsis, c.name),
	}
}

// parseArgs parses flags and checks that exactly the named positional
// arguments (placeholders such as "NAME", "EMAIL") were given.
func (c *call) parseArgs(fs *flag.FlagSet, args []string, names ...string) ([]string, error) {
	pos, err := c.parse(fs, args)
	if err != nil {
		return nil, err
	}
	return pos, c.checkArgs(pos, names...)
}

func (c *call) checkArgs(pos []string, names ...string) error {
	if len(pos) == len(names) {
		return nil
	}
	if len(pos) < len(names) {
		return c.usage("missing %s", strings.Join(names[len(pos):], " "))
	}
	want := "no arguments"
	if len(names) > 0 {
		want = "only " + strings.Join(names, " ")
	}
	return c.usage("unexpected argument %q (expected %s)", pos[len(names)], want)
}

// settings are the flags a resource's add and update share (clientFlags,
// connectionFlags, samlAppFlags).
type settings interface{ register(*flag.FlagSet) }

// parseAdd parses an add command: the data flags and s, of which --name is
// the one every add requires; the rest is left to the service.
func (c *call) parseAdd(args []string, s settings) (*flag.FlagSet, *dataFlags, error) {
	fs, df := c.dataFlagSet(true)
	s.register(fs)
	if _, err := c.parseArgs(fs, args); err != nil {
		return nil, nil, err
	}
	if err := c.require(fs, "name"); err != nil {
		return nil, nil, err
	}
	return fs, df, nil
}

// parseUpdate parses an update command: the data flags, s and the ID of
// what changes.
func (c *call) parseUpdate(args []string, s settings) (*flag.FlagSet, *dataFlags, string, error) {
	fs, df := c.dataFlagSet(true)
	s.register(fs)
	pos, err := c.parseArgs(fs, args, "ID")
	if err != nil {
		return nil, nil, "", err
	}
	return fs, df, pos[0], nil
}

// require reports every named flag that was not given.
func (c *call) require(fs *flag.FlagSet, names ...string) error {
	var missing []string
	for _, n := range names {
		if !isSet(fs, n) {
			missing = append(missing, "--"+n)
		}
	}
	if len(missing) > 0 {
		return c.usage("missing required flag %s", strings.Join(missing, ", "))
	}
	return nil
}

// optString is a string flag that remembers whether it was given, for
// updates that change only what the operator named.
type optString struct {
	v   string
	set bool
}

func (o *optString) String() string     { return o.v }
func (o *optString) Set(s string) error { o.v, o.set = s, true; return nil }

// setGiven stores a flag's parsed value (csv, scopeList, …; nil when the
// flag was not given) in an add's input, where an absent flag leaves the
// service's default.
func setGiven[T any](dst *T, v *T) {
	if v != nil {
		*dst = *v
	}
}

// ptr returns the value when the flag was given, else nil.
func (o *optString) ptr() *string {
	if !o.set {
		return nil
	}
	return &o.v
}

// optBool is a boolean flag that remembers whether it was given;
// "--admin" alone means true, "--admin=false" false.
type optBool struct {
	v   bool
	set bool
}

func (o *optBool) String() string   { return strconv.FormatBool(o.v) }
func (o *optBool) IsBoolFlag() bool { return true }
func (o *optBool) Set(s string) error {
	v, err := strconv.ParseBool(s)
	if err != nil {
		return fmt.Errorf("%q is not true or false", s)
	}
	o.v, o.set = v, true
	return nil
}

func (o *optBool) ptr() *bool {
	if !o.set {
		return nil
	}
	return &o.v
}

// stringList is a repeatable flag (--host a --host b).
type stringList struct {
	vals []string
	set  bool
}

func (l *stringList) String() string     { return strings.Join(l.vals, ",") }
func (l *stringList) Set(s string) error { l.vals, l.set = append(l.vals, s), true; return nil }

// isSet reports whether the named flag was given on the command line.
func isSet(fs *flag.FlagSet, name string) bool {
	found := false
	fs.Visit(func(f *flag.Flag) { found = found || f.Name == name })
	return found
}

// choices words a list for a flag's help, its first value the default:
// "a (default), b or c". The lists come from package model, so the help
// offers exactly what the services accept.
func choices(l []string) string {
	if len(l) == 0 {
		return ""
	}
	out := l[0] + " (default)"
	for i, v := range l[1:] {
		if i == len(l)-2 {
			out += " or " + v
		} else {
			out += ", " + v
		}
	}
	return out
}
