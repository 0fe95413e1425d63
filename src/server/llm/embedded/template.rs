//! The chat template stored in the GGUF file (`tokenizer.chat_template`, Jinja), rendered with minijinja, so any
//! model formats its conversation the way it was trained to. ChatML when the file has none.

use minijinja::{context, Environment, Error, ErrorKind};
use serde::Serialize;

use crate::server::llm::{PromptMessage, PromptRole};

const CHATML: &str = "{% for message in messages %}{{ '<|im_start|>' + message['role'] + '\n' + message['content'] \
+ '<|im_end|>' + '\n' }}{% endfor %}{% if add_generation_prompt %}{{ '<|im_start|>assistant\n' }}{% endif %}";

pub struct ChatTemplate {
    env: Environment<'static>,
    bos_token: String,
    eos_token: String,
}

#[derive(Serialize)]
struct TemplateMessage<'a> {
    role: &'static str,
    content: &'a str,
}

impl ChatTemplate {
    pub fn new(source: Option<String>, bos_token: &str, eos_token: &str) -> Result<Self, String> {
        let mut env = Environment::new();
        // Hugging Face templates call raise_exception() to reject conversations they cannot format.
        env.add_function(
            "raise_exception",
            |message: String| -> Result<String, Error> {
                Err(Error::new(ErrorKind::InvalidOperation, message))
            },
        );
        env.add_template_owned("chat", source.unwrap_or_else(|| CHATML.to_string()))
            .map_err(|e| format!("the GGUF chat template does not parse: {e}"))?;
        Ok(ChatTemplate {
            env,
            bos_token: bos_token.into(),
            eos_token: eos_token.into(),
        })
    }

    /// The conversation as the model expects it, ending where the assistant's answer begins.
    pub fn render(&self, messages: &[PromptMessage]) -> Result<String, String> {
        self.render_with(messages, true)
    }

    /// Just the instructions, as they open every prompt: the part whose attention state can be computed once.
    pub fn render_instructions(&self, system: &PromptMessage) -> Result<String, String> {
        self.render_with(std::slice::from_ref(system), false)
    }

    fn render_with(
        &self,
        messages: &[PromptMessage],
        add_generation_prompt: bool,
    ) -> Result<String, String> {
        let messages: Vec<TemplateMessage> = messages
            .iter()
            .map(|m| TemplateMessage {
                role: match m.role {
                    PromptRole::System => "system",
                    PromptRole::User => "user",
                    PromptRole::Assistant => "assistant",
                },
                content: &m.content,
            })
            .collect();
        let template = self.env.get_template("chat").map_err(|e| e.to_string())?;
        template
            .render(context! {
                messages => messages,
                add_generation_prompt => add_generation_prompt,
                bos_token => self.bos_token,
                eos_token => self.eos_token,
            })
            .map_err(|e| format!("cannot format the conversation: {e}"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chatml_when_the_file_has_no_template() {
        let template = ChatTemplate::new(None, "", "").unwrap();
        let text = template
            .render(&[
                PromptMessage {
                    role: PromptRole::System,
                    content: "Be brief.".into(),
                },
                PromptMessage {
                    role: PromptRole::User,
                    content: "Hi".into(),
                },
            ])
            .unwrap();
        assert_eq!(
            text,
            "<|im_start|>system\nBe brief.<|im_end|>\n<|im_start|>user\nHi<|im_end|>\n<|im_start|>assistant\n"
        );
    }

    #[test]
    fn a_template_that_raises_reports_why() {
        let template = ChatTemplate::new(
            Some("{{ raise_exception('roles must alternate') }}".into()),
            "",
            "",
        )
        .unwrap();
        assert!(template
            .render(&[])
            .unwrap_err()
            .contains("roles must alternate"));
    }
}
