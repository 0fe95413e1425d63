//! Loading a llama-architecture GGUF file: weights, tokenizer, chat template and context size.

use std::{
    fs::File,
    io::{BufReader, Cursor},
    path::Path,
    time::Instant,
};

use candle_core::{
    quantized::{gguf_file, GgmlDType, QTensor},
    Device,
};
use candle_transformers::models::quantized_llama::{ModelWeights, MAX_SEQ_LEN};

use super::{template::ChatTemplate, tokenizer::GgufTokenizer};

pub struct LoadedModel {
    /// Shared by every answer: each clones it (cheap: the tensors are reference-counted) for its own KV cache.
    pub weights: ModelWeights,
    pub tokenizer: GgufTokenizer,
    pub template: ChatTemplate,
    pub stop_ids: Vec<u32>,
    /// Tokens of prompt plus answer the model can attend to.
    pub context_tokens: usize,
}

/// candle's CPU kernels are fast for Q4_0 and Q8_0 but not for Q4_1 or Q5_*; those are converted once at load
/// (about a second for SmolLM2-135M) to Q8_0, which loses nothing measurable and runs several times faster.
fn needs_requantizing(dtype: GgmlDType) -> bool {
    matches!(
        dtype,
        GgmlDType::Q4_1 | GgmlDType::Q5_0 | GgmlDType::Q5_1 | GgmlDType::Q8_1
    )
}

pub fn load(path: &Path) -> Result<LoadedModel, String> {
    let started = Instant::now();
    let device = Device::Cpu;
    let file = File::open(path).map_err(|e| {
        format!(
            "cannot open the model file {} ({e}); scripts/setup.sh downloads it, or set LOCAL_MODEL_PATH",
            path.display()
        )
    })?;
    let mut reader = BufReader::new(file);
    let content = gguf_file::Content::read(&mut reader)
        .map_err(|e| format!("{} is not a readable GGUF file: {e}", path.display()))?;
    let architecture = metadata_string(&content, "general.architecture").unwrap_or_default();
    if architecture != "llama" {
        return Err(format!(
            "{} holds a {architecture:?} model; the embedded provider runs llama-architecture models",
            path.display()
        ));
    }
    let tokenizer = GgufTokenizer::from_gguf(&content)?;
    let token = |id: Option<u32>| {
        id.and_then(|id| tokenizer.token_text(id))
            .unwrap_or_default()
            .to_string()
    };
    let template = ChatTemplate::new(
        metadata_string(&content, "tokenizer.chat_template"),
        &token(tokenizer.bos_id),
        &token(tokenizer.eos_id),
    )?;
    let trained_context = content
        .metadata
        .get("llama.context_length")
        .and_then(|v| v.to_u32().ok())
        .map_or(MAX_SEQ_LEN, |n| n as usize);

    let (content, mut converted) = requantize(content, &mut reader, &device)?;
    let weights = match converted.as_mut() {
        Some(bytes) => ModelWeights::from_gguf(content, bytes, &device),
        None => ModelWeights::from_gguf(content, &mut reader, &device),
    }
    .map_err(|e| format!("cannot load the model weights: {e}"))?;
    tracing::info!(path = %path.display(), load_ms = started.elapsed().as_millis() as u64, "embedded model loaded");
    Ok(LoadedModel {
        weights,
        stop_ids: tokenizer.stop_ids(),
        tokenizer,
        template,
        // candle's rotary tables stop at MAX_SEQ_LEN whatever the model was trained for.
        context_tokens: trained_context.min(MAX_SEQ_LEN),
    })
}

type Converted = (gguf_file::Content, Option<Cursor<Vec<u8>>>);

/// Rewrites the file in memory with slow tensor types converted; `None` when nothing needs it.
fn requantize(
    content: gguf_file::Content,
    reader: &mut BufReader<File>,
    device: &Device,
) -> Result<Converted, String> {
    if !content
        .tensor_infos
        .values()
        .any(|info| needs_requantizing(info.ggml_dtype))
    {
        return Ok((content, None));
    }
    let mut tensors: Vec<(String, QTensor)> = Vec::with_capacity(content.tensor_infos.len());
    for name in content.tensor_infos.keys() {
        let tensor = content
            .tensor(reader, name, device)
            .map_err(|e| format!("cannot read tensor {name}: {e}"))?;
        let tensor = if needs_requantizing(tensor.dtype()) {
            let values = tensor.dequantize(device).map_err(|e| e.to_string())?;
            QTensor::quantize(&values, GgmlDType::Q8_0)
                .map_err(|e| format!("cannot convert tensor {name}: {e}"))?
        } else {
            tensor
        };
        tensors.push((name.clone(), tensor));
    }
    let metadata: Vec<(&str, &gguf_file::Value)> = content
        .metadata
        .iter()
        .map(|(k, v)| (k.as_str(), v))
        .collect();
    let tensor_refs: Vec<(&str, &QTensor)> = tensors.iter().map(|(n, t)| (n.as_str(), t)).collect();
    let mut bytes = Cursor::new(Vec::new());
    gguf_file::write(&mut bytes, &metadata, &tensor_refs).map_err(|e| e.to_string())?;
    drop(tensors);
    bytes.set_position(0);
    let converted = gguf_file::Content::read(&mut bytes).map_err(|e| e.to_string())?;
    Ok((converted, Some(bytes)))
}

fn metadata_string(content: &gguf_file::Content, key: &str) -> Option<String> {
    content
        .metadata
        .get(key)
        .and_then(|v| v.to_string().ok())
        .cloned()
}
