// Package oauth is Guildgate's protocol vocabulary: the error codes, response
// types, response modes, PKCE, redirect-URI and client-authentication rules of
// OAuth 2.0 and OpenID Connect, written once as plain functions.
//
// It exists so that every endpoint speaks the same dialect: one Error type
// built by constructors, one JSON error writer, one way to encode an
// authorization response, and one definition of which redirect URIs are
// acceptable. Handlers return errors; the HTTP layer renders them with the
// writers here. The rules follow RFC 6749, 6750, 7636, 8252 and 9207, OpenID
// Connect Core 1.0, OAuth 2.0 Multiple Response Type Encoding Practices and
// OAuth 2.0 Form Post Response Mode, made stricter where the product contract
// asks (https-only redirect URIs, exact matching, PKCE S256 only).
//
// The package is a leaf: it imports nothing from Guildgate, so it can be read
// and tested on its own.
package oauth
