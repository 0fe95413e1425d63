//! The tokenizer stored inside a GGUF file (`tokenizer.ggml.*`), rebuilt as a `tokenizers` byte-level BPE so
//! encoding matches the model's training, and each token's bytes for streaming decode.

use std::collections::HashMap;

use candle_core::quantized::gguf_file::{Content, Value};
use tokenizers::{
    decoders::byte_level::ByteLevel as ByteLevelDecoder,
    models::bpe::{Vocab, BPE},
    pre_tokenizers::{
        byte_level::ByteLevel, digits::Digits, sequence::Sequence, PreTokenizerWrapper,
    },
    AddedToken, Tokenizer,
};

/// GGUF token types (llama.cpp's `llama_token_type`): control tokens such as `<|im_end|>` are never shown.
const TOKEN_TYPE_CONTROL: i32 = 3;

pub struct GgufTokenizer {
    tokenizer: Tokenizer,
    /// Each token's bytes; empty for control tokens.
    bytes: Vec<Vec<u8>>,
    tokens: Vec<String>,
    pub bos_id: Option<u32>,
    pub eos_id: Option<u32>,
    pub add_bos: bool,
}

fn strings(content: &Content, key: &str) -> Result<Vec<String>, String> {
    match content.metadata.get(key) {
        Some(Value::Array(values)) => values
            .iter()
            .map(|v| v.to_string().cloned().map_err(|e| format!("{key}: {e}")))
            .collect(),
        _ => Err(format!("the GGUF file has no {key}")),
    }
}

fn u32_value(content: &Content, key: &str) -> Option<u32> {
    content.metadata.get(key).and_then(|v| v.to_u32().ok())
}

impl GgufTokenizer {
    pub fn from_gguf(content: &Content) -> Result<Self, String> {
        let kind = content
            .metadata
            .get("tokenizer.ggml.model")
            .and_then(|v| v.to_string().ok())
            .cloned()
            .unwrap_or_default();
        if kind != "gpt2" {
            return Err(format!(
                "the GGUF tokenizer is {kind:?}; only byte-level BPE (\"gpt2\": SmolLM, Llama 3 ...) is supported"
            ));
        }
        let tokens = strings(content, "tokenizer.ggml.tokens")?;
        let merges: Vec<(String, String)> = strings(content, "tokenizer.ggml.merges")?
            .into_iter()
            .filter_map(|merge| {
                let (a, b) = merge.split_once(' ')?;
                Some((a.to_string(), b.to_string()))
            })
            .collect();
        let types: Vec<i32> = match content.metadata.get("tokenizer.ggml.token_type") {
            Some(Value::Array(values)) => values.iter().map(|v| v.to_i32().unwrap_or(1)).collect(),
            _ => vec![1; tokens.len()],
        };
        let vocab: Vocab = tokens
            .iter()
            .enumerate()
            .map(|(id, token)| (token.clone(), id as u32))
            .collect();
        let bpe = BPE::builder()
            .vocab_and_merges(vocab, merges)
            .build()
            .map_err(|e| format!("cannot build the tokenizer: {e}"))?;
        let mut tokenizer = Tokenizer::new(bpe);
        let byte_level = ByteLevel::new(false, true, true);
        let pre = content
            .metadata
            .get("tokenizer.ggml.pre")
            .and_then(|v| v.to_string().ok())
            .map(String::as_str);
        // SmolLM splits digits one by one before the GPT-2 regex (llama.cpp's "smollm" pre-tokenizer).
        let pre_tokenizer: PreTokenizerWrapper = if pre == Some("smollm") {
            Sequence::new(vec![Digits::new(true).into(), byte_level.into()]).into()
        } else {
            byte_level.into()
        };
        tokenizer.with_pre_tokenizer(Some(pre_tokenizer));
        tokenizer.with_decoder(Some(ByteLevelDecoder::default()));
        let control: Vec<AddedToken> = tokens
            .iter()
            .zip(&types)
            .filter(|(_, kind)| **kind == TOKEN_TYPE_CONTROL)
            .map(|(token, _)| AddedToken::from(token.clone(), true))
            .collect();
        tokenizer
            .add_special_tokens(control)
            .map_err(|e| format!("cannot register the control tokens: {e}"))?;

        let to_byte = byte_decoder();
        let bytes = tokens
            .iter()
            .zip(&types)
            .map(|(token, kind)| {
                if *kind == TOKEN_TYPE_CONTROL {
                    return Vec::new();
                }
                let mut out = Vec::with_capacity(token.len());
                for c in token.chars() {
                    match to_byte.get(&c) {
                        Some(byte) => out.push(*byte),
                        None => out.extend_from_slice(c.to_string().as_bytes()),
                    }
                }
                out
            })
            .collect();
        let add_bos = content
            .metadata
            .get("tokenizer.ggml.add_bos_token")
            .and_then(|v| v.to_bool().ok())
            .unwrap_or(false);
        Ok(GgufTokenizer {
            tokenizer,
            bytes,
            tokens,
            bos_id: u32_value(content, "tokenizer.ggml.bos_token_id"),
            eos_id: u32_value(content, "tokenizer.ggml.eos_token_id"),
            add_bos,
        })
    }

    /// Token ids of `text`, in which control tokens such as `<|im_start|>` are recognised as single tokens.
    pub fn encode(&self, text: &str) -> Result<Vec<u32>, String> {
        let encoding = self
            .tokenizer
            .encode(text, false)
            .map_err(|e| format!("cannot tokenize the prompt: {e}"))?;
        let mut ids = Vec::with_capacity(encoding.len() + 1);
        if self.add_bos {
            ids.extend(self.bos_id);
        }
        ids.extend_from_slice(encoding.get_ids());
        Ok(ids)
    }

    /// The bytes a token stands for; empty for control tokens.
    pub fn token_bytes(&self, id: u32) -> &[u8] {
        self.bytes.get(id as usize).map_or(&[], Vec::as_slice)
    }

    /// Tokens that end an answer: the declared end-of-sequence token and the usual end-of-turn markers.
    pub fn stop_ids(&self) -> Vec<u32> {
        let markers = [
            "<|im_end|>",
            "<|endoftext|>",
            "<|eot_id|>",
            "<|end_of_text|>",
            "</s>",
        ];
        let mut ids: Vec<u32> = self.eos_id.into_iter().collect();
        for (id, token) in self.tokens.iter().enumerate() {
            if markers.contains(&token.as_str()) && !ids.contains(&(id as u32)) {
                ids.push(id as u32);
            }
        }
        ids
    }

    pub fn token_text(&self, id: u32) -> Option<&str> {
        self.tokens.get(id as usize).map(String::as_str)
    }
}

/// GPT-2's reversible map from bytes to printable characters, inverted: BPE vocabularies store bytes this way.
fn byte_decoder() -> HashMap<char, u8> {
    let mut printable: Vec<u32> = (u32::from(b'!')..=u32::from(b'~'))
        .chain(0xA1..=0xAC)
        .chain(0xAE..=0xFF)
        .collect();
    let mut chars: Vec<u32> = printable.clone();
    let mut extra = 0;
    for byte in 0..=255u32 {
        if !printable.contains(&byte) {
            printable.push(byte);
            chars.push(256 + extra);
            extra += 1;
        }
    }
    printable
        .into_iter()
        .zip(chars)
        .filter_map(|(byte, c)| Some((char::from_u32(c)?, u8::try_from(byte).ok()?)))
        .collect()
}

#[cfg(test)]
mod tests {
    use super::byte_decoder;

    #[test]
    fn the_byte_map_covers_every_byte_once() {
        let map = byte_decoder();
        assert_eq!(map.len(), 256);
        assert_eq!(map[&'Ġ'], b' ');
        assert_eq!(map[&'Ċ'], b'\n');
        assert_eq!(map[&'a'], b'a');
    }
}

/// Against the real SmolLM2 file that scripts/setup.sh downloads.
#[cfg(test)]
mod real_file_tests {
    use super::*;

    fn smollm2() -> GgufTokenizer {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("data/models/SmolLM2-135M-Instruct.Q4_1.gguf");
        let mut file = std::fs::File::open(&path).unwrap_or_else(|e| {
            panic!("{} is missing ({e}): run scripts/setup.sh", path.display())
        });
        let content = Content::read(&mut file).expect("GGUF header");
        GgufTokenizer::from_gguf(&content).expect("tokenizer")
    }

    #[test]
    fn control_tokens_are_single_tokens_and_text_round_trips() {
        let tokenizer = smollm2();
        let ids = tokenizer
            .encode("<|im_start|>user\nDeduct 1,250 € for my café?<|im_end|>\n")
            .unwrap();
        assert_eq!(ids.first(), Some(&1), "<|im_start|> is token 1: {ids:?}");
        assert!(ids.contains(&2), "<|im_end|> is token 2: {ids:?}");
        let bytes: Vec<u8> = ids
            .iter()
            .flat_map(|id| tokenizer.token_bytes(*id).to_vec())
            .collect();
        assert_eq!(
            String::from_utf8(bytes).unwrap(),
            "user\nDeduct 1,250 € for my café?\n"
        );
        // SmolLM splits numbers digit by digit.
        let digits = tokenizer.encode("1250").unwrap();
        assert_eq!(digits.len(), 4, "{digits:?}");
        assert!(tokenizer.stop_ids().contains(&2) && tokenizer.stop_ids().contains(&0));
    }
}
