//! JSON between the browser and the server functions, read from text.
//!
//! Leptos' own `Json` reads a reply with `serde_json::from_slice`, while the data a page hydrates from is read with
//! `serde_json::from_str`. Every type that arrives both ways (each resource's type, which a later refetch brings
//! again) was compiled into the wasm twice, once per reader; reading replies as text too keeps one copy. The wire
//! format is the same `application/json`.

use leptos::server_fn::{codec::Post, Bytes, ContentType, Decodes, Encodes, Format, FormatType};
use serde::{de::DeserializeOwned, Serialize};

/// The encoding: `application/json`, decoded from UTF-8 text.
pub struct JsonText;

/// For `#[server(output = ...)]`: a POST whose reply is [`JsonText`].
pub type Json = Post<JsonText>;

impl ContentType for JsonText {
    const CONTENT_TYPE: &'static str = "application/json";
}

impl FormatType for JsonText {
    const FORMAT_TYPE: Format = Format::Text;
}

impl<T: Serialize> Encodes<T> for JsonText {
    type Error = serde_json::Error;

    fn encode(output: &T) -> Result<Bytes, Self::Error> {
        serde_json::to_vec(output).map(Bytes::from)
    }
}

impl<T: DeserializeOwned> Decodes<T> for JsonText {
    type Error = serde_json::Error;

    fn decode(bytes: Bytes) -> Result<T, Self::Error> {
        let text = std::str::from_utf8(&bytes).map_err(serde::de::Error::custom)?;
        serde_json::from_str(text)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn replies_round_trip_and_bad_text_is_an_error() {
        let bytes = <JsonText as Encodes<Vec<String>>>::encode(&vec!["ä".to_string()]).unwrap();
        let back: Vec<String> = <JsonText as Decodes<Vec<String>>>::decode(bytes).unwrap();
        assert_eq!(back, ["ä"]);
        let invalid = Bytes::from_static(&[b'"', 0xff, b'"']);
        assert!(<JsonText as Decodes<String>>::decode(invalid).is_err());
    }
}
