//! The calculators as OpenAI function-calling tools: one function per [`CalculatorInput`] variant, named by its
//! serde tag, with a JSON schema of that variant's fields. [`input_from_tool_call`] turns a model's call back into
//! the input, forgiving the usual slips (an amount sent as a JSON number, the year as a string).

use crate::model::tax::{CalculatorInput, FieldError, FilingStatus, TAX_YEARS};
use serde_json::{json, Map, Value};

const AMOUNT: &str = "Dollars as text, e.g. \"50000\" or \"$50,000.00\".";

/// (function name, description, [(field, description, required)])
type Tool = (
    &'static str,
    &'static str,
    &'static [(&'static str, &'static str, bool)],
);

const TOOLS: [Tool; 7] = [
    (
        "self_employment_tax",
        "Self-employment tax (Schedule SE) on a business's net profit, and the deduction for half of it.",
        &[
            ("net_profit", "Net profit from Schedule C, after business expenses; a loss as \"-1200\".", true),
            ("w2_social_security_wages", "Wages from W-2 jobs subject to Social Security tax (W-2 box 3), which use up the wage base first. Empty if none.", false),
        ],
    ),
    (
        "additional_medicare_tax",
        "Additional Medicare Tax (Form 8959): 0.9 % on wages and self-employment income over the filing status's threshold.",
        &[
            ("filing_status", "", true),
            ("medicare_wages", "W-2 Medicare wages (box 5). Empty if none.", false),
            ("self_employment_income", "Net earnings from self-employment, Schedule SE line 6: 92.35 % of net profit, not the net profit itself. A loss as a negative number.", true),
        ],
    ),
    (
        "estimated_payments",
        "Quarterly estimated tax (Form 1040-ES): the required annual payment by the safe harbors, each installment and its due date.",
        &[
            ("filing_status", "", true),
            ("expected_tax", "Total federal tax expected for this tax year (income tax, self-employment tax and other taxes, less credits): Form 1040-ES worksheet line 11c.", true),
            ("prior_year_tax", "Total tax shown on last year's return (Form 1040 line 24); \"0\" if there was none.", true),
            ("prior_year_agi", "Adjusted gross income on last year's return (Form 1040 line 11).", true),
            ("withholding", "Federal income tax expected to be withheld this year (W-2 jobs and other). Empty if none.", false),
        ],
    ),
    (
        "due_dates",
        "The four estimated tax due dates of a tax year, moved off weekends and legal holidays.",
        &[],
    ),
    (
        "mileage",
        "Standard mileage deduction for business driving (not commuting).",
        &[("business_miles", "Business miles driven in the tax year, e.g. \"12000\".", true)],
    ),
    (
        "home_office",
        "Simplified home-office deduction: $5 a square foot, up to 300 square feet, limited by the business's income.",
        &[
            ("square_feet", "Square feet of the home used regularly and exclusively for the business, e.g. \"200\".", true),
            ("gross_income_limit", "The business's gross income less its expenses other than the home office: the deduction cannot exceed it.", true),
        ],
    ),
    (
        "set_aside",
        "How much to set aside for federal tax: SE tax, income tax (standard deduction, QBI deduction) and Additional Medicare Tax on a simple return, per year and per quarter.",
        &[
            ("filing_status", "", true),
            ("net_profit", "Net profit from the business (Schedule C) for the year; a loss as \"-1200\".", true),
            ("w2_wages", "W-2 wages for the year (box 1), also counted as Social Security and Medicare wages. Empty if none.", false),
        ],
    ),
];

/// The `tools` array of an OpenAI-compatible chat request.
pub fn tool_definitions() -> Value {
    let statuses: Vec<&str> = FilingStatus::ALL.iter().map(|s| s.key()).collect();
    let tools = TOOLS.iter().map(|(name, description, fields)| {
        let mut properties = Map::new();
        properties.insert(
            "tax_year".into(),
            json!({ "type": "integer", "enum": TAX_YEARS, "description": "The tax year the figures are for." }),
        );
        let mut required = vec!["tax_year"];
        for (field, text, is_required) in fields.iter() {
            let schema = if *field == "filing_status" {
                json!({ "type": "string", "enum": statuses, "description": "Filing status for the tax year." })
            } else {
                let unit = if matches!(*field, "business_miles" | "square_feet") { "" } else { AMOUNT };
                json!({ "type": "string", "description": format!("{text} {unit}").trim_end() })
            };
            properties.insert((*field).into(), schema);
            if *is_required {
                required.push(field);
            }
        }
        json!({
            "type": "function",
            "function": {
                "name": name,
                "description": description,
                "parameters": {
                    "type": "object",
                    "properties": properties,
                    "required": required,
                    "additionalProperties": false,
                },
            },
        })
    });
    Value::Array(tools.collect())
}

/// A model's tool call (the function name and its JSON arguments) as a calculator input.
pub fn input_from_tool_call(name: &str, arguments: &str) -> Result<CalculatorInput, FieldError> {
    let error = |field: &str, message: String| FieldError {
        field: field.into(),
        message,
    };
    let Some((_, _, fields)) = TOOLS.iter().find(|(tool, _, _)| *tool == name) else {
        return Err(error(
            "calculator",
            format!("There is no calculator called {name:?}."),
        ));
    };
    let text = if arguments.trim().is_empty() {
        "{}"
    } else {
        arguments
    };
    let Ok(Value::Object(mut args)) = serde_json::from_str::<Value>(text) else {
        return Err(error(
            "arguments",
            "The arguments are not a JSON object.".into(),
        ));
    };
    // Models often send amounts as numbers and the year as text; the input wants the reverse.
    for (field, _, _) in fields.iter() {
        if let Some(Value::Number(n)) = args.get(*field) {
            let text = n.to_string();
            args.insert((*field).into(), Value::String(text));
        }
    }
    if let Some(year) = args
        .get("tax_year")
        .and_then(Value::as_str)
        .and_then(|y| y.trim().parse::<i64>().ok())
    {
        args.insert("tax_year".into(), json!(year));
    }
    args.insert("calculator".into(), Value::String(name.into()));
    serde_json::from_value(Value::Object(args)).map_err(|e| {
        let message = e.to_string();
        // serde names the field between backticks: "missing field `net_profit`".
        let field = message.split('`').nth(1).unwrap_or("arguments").to_string();
        error(
            &field,
            format!("The calculator could not read its arguments: {message}."),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::super::key;
    use super::*;

    #[test]
    fn every_tool_round_trips_into_its_input() {
        let tools = tool_definitions();
        let tools = tools.as_array().unwrap();
        assert_eq!(tools.len(), 7);
        for tool in tools {
            let function = &tool["function"];
            let name = function["name"].as_str().unwrap();
            let properties = function["parameters"]["properties"].as_object().unwrap();
            let args: Map<String, Value> = properties
                .iter()
                .map(|(field, schema)| {
                    let value = match (field.as_str(), schema["type"].as_str()) {
                        ("tax_year", _) => json!(2026),
                        ("filing_status", _) => json!("married_joint"),
                        _ => json!("1000"),
                    };
                    (field.clone(), value)
                })
                .collect();
            let input =
                input_from_tool_call(name, &Value::Object(args.clone()).to_string()).unwrap();
            assert_eq!(key(&input), name);
            // Every required field really is required, and the others really are optional.
            for field in function["parameters"]["required"].as_array().unwrap() {
                let mut fewer = args.clone();
                fewer.remove(field.as_str().unwrap());
                let err =
                    input_from_tool_call(name, &Value::Object(fewer).to_string()).unwrap_err();
                assert_eq!(err.field, field.as_str().unwrap(), "{name}");
            }
            let only_required: Map<String, Value> = args
                .into_iter()
                .filter(|(f, _)| {
                    function["parameters"]["required"]
                        .as_array()
                        .unwrap()
                        .contains(&json!(f))
                })
                .collect();
            assert!(
                input_from_tool_call(name, &Value::Object(only_required).to_string()).is_ok(),
                "{name}"
            );
        }
    }

    #[test]
    fn numbers_and_a_year_in_quotes_are_forgiven() {
        let input = input_from_tool_call(
            "set_aside",
            r#"{"tax_year":"2026","filing_status":"single","net_profit":85000.5}"#,
        )
        .unwrap();
        assert_eq!(
            input,
            CalculatorInput::SetAside {
                tax_year: 2026,
                filing_status: FilingStatus::Single,
                net_profit: "85000.5".into(),
                w2_wages: String::new(),
            }
        );
        assert_eq!(
            input_from_tool_call("guess_my_tax", "{}")
                .unwrap_err()
                .field,
            "calculator"
        );
        assert_eq!(
            input_from_tool_call("mileage", "[1]").unwrap_err().field,
            "arguments"
        );
    }
}
