//! Tokens are byte sequences, and one character can span several tokens (an emoji, an accented letter): text is
//! only released once its bytes form whole characters, so the browser never sees a broken character.

#[derive(Default)]
pub struct Utf8Holdback {
    pending: Vec<u8>,
}

impl Utf8Holdback {
    /// Adds a token's bytes and returns the text that is now complete (possibly empty).
    pub fn push(&mut self, bytes: &[u8]) -> String {
        self.pending.extend_from_slice(bytes);
        let complete = match std::str::from_utf8(&self.pending) {
            Ok(_) => self.pending.len(),
            // An incomplete character at the end waits; invalid bytes in the middle are replaced, never held.
            Err(error) if error.error_len().is_none() => error.valid_up_to(),
            Err(_) => self.pending.len(),
        };
        let text = String::from_utf8_lossy(&self.pending[..complete]).into_owned();
        self.pending.drain(..complete);
        text
    }

    /// What is left when generation ends: an unfinished character becomes U+FFFD rather than vanishing.
    pub fn finish(&mut self) -> String {
        let text = String::from_utf8_lossy(&self.pending).into_owned();
        self.pending.clear();
        text
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_character_split_across_tokens_is_released_whole() {
        let euro = "€".as_bytes(); // three bytes
        let mut holdback = Utf8Holdback::default();
        assert_eq!(holdback.push(b"costs 5"), "costs 5");
        assert_eq!(holdback.push(&euro[..1]), "");
        assert_eq!(holdback.push(&euro[1..2]), "");
        assert_eq!(holdback.push(&[euro[2], b'!']), "€!");
        let emoji = "💶".as_bytes();
        assert_eq!(holdback.push(&emoji[..3]), "");
        assert_eq!(holdback.push(&emoji[3..]), "💶");
        assert_eq!(holdback.finish(), "");
    }

    #[test]
    fn invalid_bytes_are_replaced_not_held_forever() {
        let mut holdback = Utf8Holdback::default();
        assert_eq!(holdback.push(&[b'a', 0xff, b'b']), "a\u{fffd}b");
        assert_eq!(holdback.push(&[0xe2, 0x82]), "");
        assert_eq!(holdback.finish(), "\u{fffd}");
    }
}
