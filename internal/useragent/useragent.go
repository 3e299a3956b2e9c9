// Package useragent names the browser and operating system a User-Agent
// header claims, so a member can tell their signed-in browsers apart
// ("Firefox", "Android"). It is a label, never a security decision: the
// header is whatever the client says. Only names from the fixed lists
// below come out, so nothing the client sent is ever stored or shown.
package useragent

import "strings"

// Device is what a User-Agent says it is; a part it does not tell is "".
type Device struct{ Browser, OS string }

// MaxLen bounds how much of a header is read: real ones are a few hundred
// bytes.
const MaxLen = 512

// browsers are checked in order: most browsers also claim to be those
// after them (Edge says Chrome and Safari; Chrome says Safari).
var browsers = []struct{ token, name string }{
	{"Edg/", "Edge"}, {"EdgA/", "Edge"}, {"EdgiOS/", "Edge"},
	{"OPR/", "Opera"}, {"SamsungBrowser/", "Samsung Internet"},
	{"Firefox/", "Firefox"}, {"FxiOS/", "Firefox"},
	{"CriOS/", "Chrome"}, {"Chrome/", "Chrome"}, {"Chromium/", "Chromium"},
	{"Version/", "Safari"}, // Safari's own version; with "Safari/" below
}

var systems = []struct{ token, name string }{
	{"Android", "Android"}, {"iPhone", "iOS"}, {"iPad", "iPadOS"}, {"CrOS", "ChromeOS"},
	{"Windows", "Windows"}, {"Mac OS X", "macOS"}, {"Linux", "Linux"},
}

// Parse names the browser and operating system ua claims.
func Parse(ua string) Device {
	if len(ua) > MaxLen {
		ua = ua[:MaxLen]
	}
	var d Device
	for _, b := range browsers {
		if strings.Contains(ua, b.token) && (b.name != "Safari" || strings.Contains(ua, "Safari/")) {
			d.Browser = b.name
			break
		}
	}
	for _, s := range systems {
		if strings.Contains(ua, s.token) {
			d.OS = s.name
			break
		}
	}
	return d
}
