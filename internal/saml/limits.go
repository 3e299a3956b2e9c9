package saml

import (
	"bytes"
	"compress/flate"
	"encoding/base64"
	"encoding/xml"
	"errors"
	"fmt"
	"io"
	"net/url"
)

// Bounds on what an unauthenticated request can make the server decode.
// Real AuthnRequests and LogoutRequests are a few kilobytes; a DEFLATE
// stream can expand a thousandfold, so the inflated size is bounded on its
// own, before the library inflates the same stream again under its own,
// looser bound.
const (
	MaxQuery   = 16 << 10 // the raw query of a Redirect-binding request
	MaxMessage = 64 << 10 // the XML of a message, inflated or base64-decoded
)

// checkRedirect bounds a Redirect-binding query and the message param it
// carries, inflating it through a limit, and refuses directives in it.
func checkRedirect(rawQuery, param string) error {
	if len(rawQuery) > MaxQuery {
		return refuse(TooLarge, "This SAML request is too large.", fmt.Errorf("query of %d bytes", len(rawQuery)))
	}
	q, err := url.ParseQuery(rawQuery)
	if err != nil || len(q[param]) != 1 {
		return refuse(Malformed, "This SAML request is malformed: it needs exactly one "+param+".", err)
	}
	compressed, err := base64.StdEncoding.DecodeString(q.Get(param))
	if err != nil {
		return refuse(Malformed, "This SAML request is malformed: "+param+" is not base64.", err)
	}
	msg, err := inflate(compressed)
	if err != nil {
		return err
	}
	return checkXML(msg)
}

// checkPost bounds a POST-binding message and refuses directives in it.
// The form was parsed already (under the site's body limit).
func checkPost(encoded string, param string) error {
	if encoded == "" {
		return refuse(Malformed, "This SAML request is malformed: "+param+" is missing.", nil)
	}
	if base64.StdEncoding.DecodedLen(len(encoded)) > MaxMessage {
		return refuse(TooLarge, "This SAML request is too large.", fmt.Errorf("%s of %d bytes", param, len(encoded)))
	}
	msg, err := base64.StdEncoding.DecodeString(encoded)
	if err != nil {
		return refuse(Malformed, "This SAML request is malformed: "+param+" is not base64.", err)
	}
	return checkXML(msg)
}

var errTooLarge = errors.New("inflated message over MaxMessage")

// inflate decompresses a raw DEFLATE stream (saml-bindings §3.4.4.1),
// reading at most one byte past MaxMessage.
func inflate(compressed []byte) ([]byte, error) {
	r := flate.NewReader(bytes.NewReader(compressed))
	defer r.Close()
	msg, err := io.ReadAll(io.LimitReader(r, MaxMessage+1))
	switch {
	case err != nil:
		return nil, refuse(Malformed, "This SAML request is malformed: it is not DEFLATE-compressed.", err)
	case len(msg) > MaxMessage:
		return nil, refuse(TooLarge, "This SAML request is too large.", errTooLarge)
	}
	return msg, nil
}

// checkXML refuses any directive (<!DOCTYPE …>, <!ENTITY …>): SAML
// messages have none (saml-bindings §3.4.4 and §3.5.4 forbid a DTD), and
// refusing them here means no entity declaration ever reaches an XML
// parser. Malformed XML is left for the library to report.
func checkXML(msg []byte) error {
	d := xml.NewDecoder(bytes.NewReader(msg))
	for {
		tok, err := d.RawToken()
		if err != nil {
			return nil
		}
		if _, ok := tok.(xml.Directive); ok {
			return refuse(Forbidden, "This SAML request contains a document type declaration, which SAML forbids.", nil)
		}
	}
}
