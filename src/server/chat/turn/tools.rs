//! The model's calls to Tally's calculators (OpenAI function calling): gathered from the stream's pieces, run with
//! exact decimals, answered with the steps and the number to cite, and kept as cards under the answer.

use crate::{
    model::tax::CalculationResult,
    server::{
        llm::{ToolCall, ToolRound},
        tax::{calc, grounding::calculation_text, Tax},
    },
};

/// Rounds of calls one answer may make; a model that keeps calling is answered without more tools.
pub(super) const MAX_ROUNDS: usize = 2;

/// Function calls assembled from their streamed pieces.
#[derive(Default)]
pub(super) struct PendingCalls(Vec<ToolCall>);

impl PendingCalls {
    pub(super) fn add(
        &mut self,
        index: usize,
        id: Option<String>,
        name: Option<String>,
        arguments: &str,
    ) {
        if self.0.len() <= index {
            self.0.resize_with(index + 1, ToolCall::default);
        }
        let call = &mut self.0[index];
        if let Some(id) = id {
            call.id = id;
        }
        if let Some(name) = name {
            call.name.push_str(&name);
        }
        call.arguments.push_str(arguments);
    }

    pub(super) fn take(&mut self) -> Vec<ToolCall> {
        std::mem::take(&mut self.0)
    }
}

/// The calculations an answer already shows, and the citation number of the first of them.
pub(super) struct Shown<'a> {
    pub calculations: &'a [CalculationResult],
    pub first_number: usize,
}

/// Runs each call; returns the round to send back and the new calculations that succeeded. A result the answer
/// already shows (Tally computed it for the question, or the model asked twice) is cited by its number rather than
/// shown as a second, identical card.
pub(super) fn run(
    tax: &Tax,
    calls: Vec<ToolCall>,
    shown: Shown<'_>,
) -> (ToolRound, Vec<CalculationResult>) {
    let first_number = shown.first_number + shown.calculations.len();
    let mut results = Vec::with_capacity(calls.len());
    let mut calculations: Vec<CalculationResult> = Vec::new();
    for call in &calls {
        let outcome = calc::input_from_tool_call(&call.name, &call.arguments)
            .and_then(|input| calc::run(&tax.params, &input));
        let earlier = outcome.as_ref().ok().and_then(|calculation| {
            let numbered = shown
                .calculations
                .iter()
                .chain(&calculations)
                .position(|c| c == calculation)?;
            Some(shown.first_number + numbered)
        });
        let text = match (outcome, earlier) {
            (Ok(calculation), Some(number)) => format!(
                "Result of Tally's calculator, already shown as [{number}]; cite it as [{number}]:\n{}",
                calculation_text(&calculation)
            ),
            (Ok(calculation), None) => {
                let number = first_number + calculations.len();
                let text = format!(
                    "Result of Tally's calculator, cite it as [{number}]:\n{}",
                    calculation_text(&calculation)
                );
                calculations.push(calculation);
                text
            }
            (Err(error), _) => format!(
                "The calculator could not run: {} (field {}). Ask the user for it; do not compute it yourself.",
                error.message, error.field
            ),
        };
        results.push(text);
    }
    (ToolRound { calls, results }, calculations)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn pieces_of_a_call_assemble_and_the_calculator_answers_with_its_number() {
        let mut pending = PendingCalls::default();
        pending.add(
            0,
            Some("call_1".into()),
            Some("self_employment_tax".into()),
            "{\"tax_year\": 2025, ",
        );
        pending.add(0, None, None, "\"net_profit\": \"50000\"}");
        let calls = pending.take();
        assert_eq!(calls.len(), 1);
        let tax = Tax::load().expect("knowledge base");
        let none = Shown {
            calculations: &[],
            first_number: 4,
        };
        let (round, calculations) = run(&tax, calls.clone(), none);
        assert_eq!(calculations.len(), 1);
        assert!(
            round.results[0].starts_with("Result of Tally's calculator, cite it as [4]"),
            "{}",
            round.results[0]
        );
        assert!(
            round.results[0].contains("$7,064.78"),
            "{}",
            round.results[0]
        );

        // The same calculation again (found for the question, say) is cited by its number, not shown twice.
        let shown = Shown {
            calculations: &calculations,
            first_number: 3,
        };
        let (round, again) = run(&tax, calls, shown);
        assert!(again.is_empty());
        assert!(
            round.results[0].contains("already shown as [3]"),
            "{}",
            round.results[0]
        );
    }

    #[test]
    fn a_call_that_cannot_run_says_why_and_adds_no_card() {
        let tax = Tax::load().expect("knowledge base");
        let call = ToolCall {
            id: "c".into(),
            name: "mileage".into(),
            arguments: "{\"tax_year\": 2026}".into(),
        };
        let none = Shown {
            calculations: &[],
            first_number: 1,
        };
        let (round, calculations) = run(&tax, vec![call], none);
        assert!(calculations.is_empty());
        assert!(
            round.results[0].contains("could not run"),
            "{}",
            round.results[0]
        );
    }
}
