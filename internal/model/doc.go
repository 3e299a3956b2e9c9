// Package model holds the plain data types every layer shares, so that storage,
// services and handlers agree on one shape without importing each other.
package model
