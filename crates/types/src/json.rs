//! Case-insensitive JSON decoding of request bodies, as Go's `encoding/json` does.
