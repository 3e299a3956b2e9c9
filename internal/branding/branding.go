// Package branding holds the rules for a tenant's look on member-facing
// pages: the primary colour (white text on it must stay readable), the
// help and privacy links, the sign-in message, and the logo. A logo is
// bytes an administrator uploads and every visitor's browser renders, so
// it is decoded as the image type it claims and re-encoded from pixels:
// what is served is an image we drew, never the upload (no HTML, SVG,
// script, polyglot or metadata survives).
package branding

import (
	"fmt"
	"math"
	"net/url"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"
)

// Paths of a tenant's logo and theme (served by package brandassets,
// linked by package ui).
const (
	LogoPath  = "/branding/logo/"
	ThemePath = "/branding/theme/"
)

// LogoURL is the absolute URL of a logo on the tenant's issuer: what a
// mail links (mail readers fetch images themselves, so a path is not
// enough) and what the admin API shows.
func LogoURL(issuer, hash string) string { return strings.TrimRight(issuer, "/") + LogoPath + hash }

// ThemeName is the file name of a colour's stylesheet.
func ThemeName(color string) string { return strings.TrimPrefix(color, "#") + ".css" }

// MinContrast is WCAG 2.1 AA's ratio for normal text (1.4.3): buttons
// carry white text on the primary colour.
const MinContrast = 4.5

// MaxMessageLen bounds the sign-in message, in characters.
const MaxMessageLen = 280

// maxURLLen bounds the support and privacy URLs.
const maxURLLen = 2048

var colorPattern = regexp.MustCompile(`^#[0-9a-fA-F]{6}$`)

// NormalizeColor lower-cases a colour; empty stays empty (the default).
func NormalizeColor(s string) string { return strings.ToLower(strings.TrimSpace(s)) }

// CheckColor says what is wrong with a primary colour, or "" when it is
// #RRGGBB and white text on it has at least MinContrast.
func CheckColor(s string) string {
	if s == "" {
		return ""
	}
	if !colorPattern.MatchString(s) {
		return fmt.Sprintf("%q must be a colour written #RRGGBB, such as #1f5fbf", s)
	}
	if c := ContrastWithWhite(s); c < MinContrast {
		return fmt.Sprintf("%s is too light: white text on it has contrast %.2f:1, and at least %.1f:1 is needed to be readable",
			s, math.Floor(c*100)/100, MinContrast)
	}
	return ""
}

// ContrastWithWhite is the WCAG contrast ratio of white on the #RRGGBB
// colour c.
func ContrastWithWhite(c string) float64 {
	return 1.05 / (luminance(c) + 0.05)
}

// luminance is WCAG 2.1's relative luminance of #RRGGBB.
func luminance(c string) float64 {
	ch := func(i int) float64 {
		v, _ := strconv.ParseUint(c[i:i+2], 16, 8)
		s := float64(v) / 255
		if s <= 0.04045 {
			return s / 12.92
		}
		return math.Pow((s+0.055)/1.055, 2.4)
	}
	return 0.2126*ch(1) + 0.7152*ch(3) + 0.0722*ch(5)
}

// Darker is c with each channel scaled down by a fifth: the hover shade of
// a button, darker so white text on it stays readable.
func Darker(c string) string {
	out := "#"
	for i := 1; i < 7; i += 2 {
		v, _ := strconv.ParseUint(c[i:i+2], 16, 8)
		out += fmt.Sprintf("%02x", v*4/5)
	}
	return out
}

// CheckURL says what is wrong with a support or privacy URL, or "" when
// it is empty or an absolute https URL without credentials.
func CheckURL(s string) string {
	if s == "" {
		return ""
	}
	if len(s) > maxURLLen {
		return fmt.Sprintf("must be at most %d characters", maxURLLen)
	}
	u, err := url.Parse(s)
	if err != nil || u.Scheme != "https" || u.Host == "" || u.User != nil || u.Opaque != "" {
		return fmt.Sprintf("%q must be an absolute https:// URL", s)
	}
	return ""
}

// CheckMessage says what is wrong with a sign-in message, or "".
func CheckMessage(s string) string {
	if !utf8.ValidString(s) {
		return "must be valid UTF-8"
	}
	if n := utf8.RuneCountInString(s); n > MaxMessageLen {
		return fmt.Sprintf("must be at most %d characters (it has %d)", MaxMessageLen, n)
	}
	if strings.ContainsFunc(s, unicode.IsControl) {
		return "must be one line of text, without control characters"
	}
	return ""
}
