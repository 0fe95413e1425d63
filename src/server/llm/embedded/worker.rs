//! The generation thread. Answers take turns token by token (round robin), so a long answer does not hold a short
//! one hostage; a question that arrives while `max_active` answers are being written waits in a bounded queue.
//! An answer whose reader went away (Stop, closed tab) is dropped before its next token: no CPU for nobody.

use std::{
    collections::VecDeque,
    path::PathBuf,
    sync::{
        atomic::AtomicUsize,
        atomic::{AtomicBool, Ordering},
        mpsc::{Receiver, TryRecvError},
        Arc,
    },
};

use candle_core::{Device, Tensor};
use candle_transformers::{
    generation::{LogitsProcessor, Sampling},
    models::quantized_llama::ModelWeights,
    utils::apply_repeat_penalty,
};
use tokio::sync::mpsc::UnboundedSender;

use super::{utf8::Utf8Holdback, weights::LoadedModel};
use crate::{
    model::Usage,
    server::llm::{ChatChunk, PromptMessage, PromptRole, ProviderError},
};

/// Penalise tokens seen in the last this many, so a tiny model does not loop on one phrase.
const REPEAT_WINDOW: usize = 64;
const REPEAT_PENALTY: f32 = 1.1;
/// An answer gets at least this many tokens of room; older turns are dropped from the prompt to make it.
const MIN_ANSWER_TOKENS: usize = 256;

pub type Event = Result<ChatChunk, ProviderError>;

pub struct Job {
    pub messages: Vec<PromptMessage>,
    pub max_tokens: u32,
    pub temperature: f32,
    pub events: UnboundedSender<Event>,
    pub cancelled: Arc<AtomicBool>,
}

impl Job {
    fn abandoned(&self) -> bool {
        self.cancelled.load(Ordering::Relaxed) || self.events.is_closed()
    }
}

pub struct Settings {
    pub model_path: PathBuf,
    pub max_active: usize,
    /// Answers being generated right now, for metrics and tests.
    pub active: Arc<AtomicUsize>,
}

/// The model's attention state after reading the instructions. Every tax question opens with the same ~300-token
/// instructions, so computing them once and copying the state saves most of the time to the first token.
struct InstructionsCache {
    tokens: Vec<u32>,
    weights: ModelWeights,
}

pub fn run(settings: Settings, jobs: Receiver<Job>) {
    let mut model: Option<Arc<LoadedModel>> = None;
    let mut instructions: Option<InstructionsCache> = None;
    let mut active: VecDeque<Answer> = VecDeque::new();
    let mut seed: u64 = rand::random();
    loop {
        while active.len() < settings.max_active {
            let job = if active.is_empty() {
                match jobs.recv() {
                    Ok(job) => job,
                    Err(_) => return,
                }
            } else {
                match jobs.try_recv() {
                    Ok(job) => job,
                    Err(TryRecvError::Empty | TryRecvError::Disconnected) => break,
                }
            };
            if job.abandoned() {
                continue;
            }
            let loaded = match &model {
                Some(loaded) => loaded.clone(),
                // Loaded on first use, so a server that never needs it stays small.
                None => match super::weights::load(&settings.model_path) {
                    Ok(loaded) => model.insert(Arc::new(loaded)).clone(),
                    Err(message) => {
                        tracing::error!(%message, "embedded model unavailable");
                        let _ = job.events.send(Err(ProviderError::Unavailable(message)));
                        continue;
                    }
                },
            };
            seed = seed.wrapping_add(1);
            match Answer::start(loaded, job, seed, &mut instructions) {
                Ok(answer) => active.push_back(answer),
                Err((job, error)) => {
                    let _ = job.events.send(Err(error));
                }
            }
        }
        settings.active.store(active.len(), Ordering::Relaxed);
        // One token for each answer in turn.
        for _ in 0..active.len() {
            let Some(mut answer) = active.pop_front() else {
                break;
            };
            if answer.step() == Step::Continue {
                active.push_back(answer);
            }
        }
        settings.active.store(active.len(), Ordering::Relaxed);
    }
}

#[derive(PartialEq, Eq)]
enum Step {
    Continue,
    Done,
}

struct Answer {
    job: Job,
    model: Arc<LoadedModel>,
    weights: ModelWeights,
    /// Prompt tokens, then the answer's tokens as they come.
    tokens: Vec<u32>,
    prompt_len: usize,
    max_new: usize,
    /// Tokens already fed through the model (its KV cache covers `tokens[..fed]`).
    fed: usize,
    sampler: LogitsProcessor,
    holdback: Utf8Holdback,
}

impl Answer {
    fn start(
        model: Arc<LoadedModel>,
        job: Job,
        seed: u64,
        instructions: &mut Option<InstructionsCache>,
    ) -> Result<Self, (Job, ProviderError)> {
        let tokens = match fit_prompt(&model, &job.messages) {
            Ok(tokens) => tokens,
            Err(error) => return Err((job, error)),
        };
        let (weights, fed) = match reuse_instructions(&model, &job.messages, &tokens, instructions)
        {
            Ok(Some(prefix)) => prefix,
            Ok(None) => (model.weights.clone(), 0),
            Err(error) => {
                let error =
                    ProviderError::Unavailable(format!("the offline model failed: {error}"));
                return Err((job, error));
            }
        };
        let room = model.context_tokens - tokens.len();
        let max_new = room.min(job.max_tokens as usize);
        let sampling = if job.temperature <= 0.0 {
            Sampling::ArgMax
        } else {
            Sampling::TopP {
                p: 0.9,
                temperature: f64::from(job.temperature),
            }
        };
        Ok(Answer {
            weights,
            prompt_len: tokens.len(),
            tokens,
            max_new,
            fed,
            sampler: LogitsProcessor::from_sampling(seed, sampling),
            holdback: Utf8Holdback::default(),
            model,
            job,
        })
    }

    fn generated(&self) -> usize {
        self.tokens.len() - self.prompt_len
    }

    /// Feeds what the model has not seen (the whole prompt at first, then the last token) and samples the next.
    fn step(&mut self) -> Step {
        if self.job.abandoned() {
            return Step::Done;
        }
        let next = match self.next_token() {
            Ok(next) => next,
            Err(error) => {
                let _ = self.job.events.send(Err(ProviderError::Unavailable(format!(
                    "the offline model failed: {error}"
                ))));
                return Step::Done;
            }
        };
        if self.model.stop_ids.contains(&next) {
            return self.finish();
        }
        self.tokens.push(next);
        let text = self.holdback.push(self.model.tokenizer.token_bytes(next));
        if !text.is_empty() && self.job.events.send(Ok(ChatChunk::Token(text))).is_err() {
            return Step::Done;
        }
        if self.generated() >= self.max_new {
            return self.finish();
        }
        Step::Continue
    }

    fn next_token(&mut self) -> candle_core::Result<u32> {
        let input = Tensor::new(&self.tokens[self.fed..], &Device::Cpu)?.unsqueeze(0)?;
        let logits = self.weights.forward(&input, self.fed)?.squeeze(0)?;
        self.fed = self.tokens.len();
        let recent = &self.tokens[self.tokens.len().saturating_sub(REPEAT_WINDOW)..];
        let logits = apply_repeat_penalty(&logits, REPEAT_PENALTY, recent)?;
        self.sampler.sample(&logits)
    }

    fn finish(&mut self) -> Step {
        let rest = self.holdback.finish();
        if !rest.is_empty() {
            let _ = self.job.events.send(Ok(ChatChunk::Token(rest)));
        }
        let usage = Usage {
            prompt_tokens: u32::try_from(self.prompt_len).unwrap_or(u32::MAX),
            completion_tokens: u32::try_from(self.generated()).unwrap_or(u32::MAX),
            estimated: false,
        };
        let _ = self.job.events.send(Ok(ChatChunk::Usage(usage)));
        Step::Done
    }
}

/// A copy of the model that has already read the prompt's instructions, and how many tokens that covers; `None`
/// when the prompt does not open with instructions that tokenize the same on their own.
fn reuse_instructions(
    model: &LoadedModel,
    messages: &[PromptMessage],
    tokens: &[u32],
    cache: &mut Option<InstructionsCache>,
) -> candle_core::Result<Option<(ModelWeights, usize)>> {
    let Some(system) = messages.first().filter(|m| m.role == PromptRole::System) else {
        return Ok(None);
    };
    let Ok(text) = model.template.render_instructions(system) else {
        return Ok(None);
    };
    let Ok(prefix) = model.tokenizer.encode(&text) else {
        return Ok(None);
    };
    // At least one token must be left to feed, or there would be no logits to sample from.
    if prefix.is_empty() || prefix.len() >= tokens.len() || !tokens.starts_with(&prefix) {
        return Ok(None);
    }
    if cache.as_ref().is_none_or(|c| c.tokens != prefix) {
        let mut weights = model.weights.clone();
        let input = Tensor::new(prefix.as_slice(), &Device::Cpu)?.unsqueeze(0)?;
        weights.forward(&input, 0)?;
        *cache = Some(InstructionsCache {
            tokens: prefix,
            weights,
        });
    }
    Ok(cache.as_ref().map(|c| (c.weights.clone(), c.tokens.len())))
}

/// The prompt's tokens, dropping the oldest turns (never the instructions or the question) until the answer has
/// room. A question too long on its own is refused, which lets the turn fall back to a larger model.
fn fit_prompt(model: &LoadedModel, messages: &[PromptMessage]) -> Result<Vec<u32>, ProviderError> {
    let mut messages = messages.to_vec();
    let budget = model.context_tokens.saturating_sub(MIN_ANSWER_TOKENS);
    loop {
        let text = model
            .template
            .render(&messages)
            .map_err(ProviderError::Unavailable)?;
        let tokens = model
            .tokenizer
            .encode(&text)
            .map_err(ProviderError::Unavailable)?;
        if tokens.len() <= budget {
            return Ok(tokens);
        }
        let oldest_turn = messages
            .iter()
            .position(|m| m.role != PromptRole::System)
            .filter(|&index| index + 1 < messages.len());
        match oldest_turn {
            Some(index) => {
                messages.remove(index);
            }
            None => {
                return Err(ProviderError::Unavailable(format!(
                    "the question is too long for the offline model ({} tokens, {budget} fit)",
                    tokens.len()
                )))
            }
        }
    }
}
