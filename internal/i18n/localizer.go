package i18n

import (
	"strconv"
	"time"

	"golang.org/x/text/message"
)

// Localizer renders messages in one language.
type Localizer struct {
	Lang string // BCP 47 base tag, for <html lang>
	c    *Catalogue
	p    *message.Printer
}

// For returns the localizer of lang, or of English when lang is not one
// of Languages.
func For(lang string) *Localizer {
	c := must()
	if l, ok := c.loc[lang]; ok {
		return l
	}
	return c.loc[Default]
}

// T renders key with args. A missing key renders as a visible marker
// rather than as the key or as English, so a test (and a reader) sees it.
func (l *Localizer) T(key string, args ...any) string {
	if !l.c.keys[l.Lang][key] {
		return missing(key)
	}
	return l.p.Sprintf(key, args...)
}

// Msg renders m: its key with its arguments, or its raw text. Arguments
// that are Messages themselves are rendered first, in the same language.
func (l *Localizer) Msg(m Message) string {
	if m.Key == "" {
		return m.Text
	}
	args := make([]any, len(m.Args))
	for i, a := range m.Args {
		if inner, ok := a.(Message); ok {
			a = l.Msg(inner)
		}
		args[i] = a
	}
	return l.T(m.Key, args...)
}

// Number formats n with the language's digit grouping (1,234 · 1 234 ·
// 1.234).
func (l *Localizer) Number(n int) string { return l.p.Sprint(n) }

// Date formats t's calendar day in the language, in t's location, e.g.
// "6 December 2026", "6 décembre 2026", "6. Dezember 2026".
func (l *Localizer) Date(t time.Time) string {
	return l.T("format.date", strconv.Itoa(t.Day()), l.T(monthKeys[t.Month()-1]), strconv.Itoa(t.Year()))
}

// DateTime formats t's day and time of day (24-hour clock) in the
// language, in t's location.
func (l *Localizer) DateTime(t time.Time) string {
	return l.T("format.date_time", l.Date(t), t.Format("15:04"))
}

var monthKeys = [12]string{"month.1", "month.2", "month.3", "month.4", "month.5", "month.6",
	"month.7", "month.8", "month.9", "month.10", "month.11", "month.12"}
