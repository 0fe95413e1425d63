//! Tax types shared by the browser and the server: the caller's tax profile, the sources an answer cites, and the
//! calculators' inputs and results.

use serde::{Deserialize, Serialize};

use crate::i18n::{fill, Lang, Texts};

/// The tax years Tally has passages and parameters for, oldest first.
pub const TAX_YEARS: [i32; 2] = [2025, 2026];

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum FilingStatus {
    #[default]
    Single,
    MarriedJoint,
    MarriedSeparate,
    HeadOfHousehold,
    QualifyingSurvivingSpouse,
}

impl FilingStatus {
    pub const ALL: [FilingStatus; 5] = [
        FilingStatus::Single,
        FilingStatus::MarriedJoint,
        FilingStatus::MarriedSeparate,
        FilingStatus::HeadOfHousehold,
        FilingStatus::QualifyingSurvivingSpouse,
    ];

    /// The suffix of this status's parameters in `knowledge/parameters/<year>.toml`.
    pub fn key(self) -> &'static str {
        match self {
            FilingStatus::Single => "single",
            FilingStatus::MarriedJoint => "married_joint",
            FilingStatus::MarriedSeparate => "married_separate",
            FilingStatus::HeadOfHousehold => "head_of_household",
            FilingStatus::QualifyingSurvivingSpouse => "qualifying_surviving_spouse",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|status| status.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            FilingStatus::Single => "Single",
            FilingStatus::MarriedJoint => "Married filing jointly",
            FilingStatus::MarriedSeparate => "Married filing separately",
            FilingStatus::HeadOfHousehold => "Head of household",
            FilingStatus::QualifyingSurvivingSpouse => "Qualifying surviving spouse",
        }
    }

    /// The label in `lang` (the profile form's own texts; the English is [`FilingStatus::label`]).
    pub fn label_in(self, lang: Lang) -> &'static str {
        let t = &lang.texts().tax;
        match self {
            FilingStatus::Single => t.status_single,
            FilingStatus::MarriedJoint => t.status_married_joint,
            FilingStatus::MarriedSeparate => t.status_married_separate,
            FilingStatus::HeadOfHousehold => t.status_head_of_household,
            FilingStatus::QualifyingSurvivingSpouse => t.status_qualifying_surviving_spouse,
        }
    }
}

#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum BusinessForm {
    #[default]
    SoleProprietor,
    SingleMemberLlc,
    Partnership,
    SCorporation,
}

impl BusinessForm {
    pub const ALL: [BusinessForm; 4] = [
        BusinessForm::SoleProprietor,
        BusinessForm::SingleMemberLlc,
        BusinessForm::Partnership,
        BusinessForm::SCorporation,
    ];

    pub fn key(self) -> &'static str {
        match self {
            BusinessForm::SoleProprietor => "sole_proprietor",
            BusinessForm::SingleMemberLlc => "single_member_llc",
            BusinessForm::Partnership => "partnership",
            BusinessForm::SCorporation => "s_corporation",
        }
    }

    pub fn parse(key: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|form| form.key() == key)
    }

    pub fn label(self) -> &'static str {
        match self {
            BusinessForm::SoleProprietor => "Sole proprietor",
            BusinessForm::SingleMemberLlc => "Single-member LLC",
            BusinessForm::Partnership => "Partnership",
            BusinessForm::SCorporation => "S corporation",
        }
    }

    /// The label in the language of `texts` (the profile form's own texts; the English is [`BusinessForm::label`]).
    pub fn label_with(self, texts: &'static Texts) -> &'static str {
        let t = &texts.tax;
        match self {
            BusinessForm::SoleProprietor => t.form_sole_proprietor,
            BusinessForm::SingleMemberLlc => t.form_single_member_llc,
            BusinessForm::Partnership => t.form_partnership,
            BusinessForm::SCorporation => t.form_s_corporation,
        }
    }

    /// The label in `lang`.
    pub fn label_in(self, lang: Lang) -> &'static str {
        self.label_with(lang.texts())
    }
}

/// What Tally knows of the caller's tax situation; it goes into the prompt and the retrieval filter.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TaxProfile {
    pub tax_year: i32,
    /// Free text ("Oregon"); answers are US federal, and a state only earns a pointer to its own rules.
    #[serde(default)]
    pub state: Option<String>,
    pub filing_status: FilingStatus,
    pub business_form: BusinessForm,
    #[serde(default)]
    pub has_w2_wages: bool,
    /// False until the caller saved one: the defaults are then assumptions the answer says it made.
    #[serde(default)]
    pub saved: bool,
}

impl TaxProfile {
    /// "Tax year 2025 · US federal · Sole proprietor", the stamp above every tax answer, in English: the form an
    /// answer stores and the API returns ([`localized_stamp`] shows it in the page's language).
    pub fn stamp(&self) -> String {
        self.stamp_with(Lang::En.texts())
    }

    /// The stamp in the language of `texts`.
    pub fn stamp_with(&self, texts: &'static Texts) -> String {
        stamp_text(texts, self.tax_year, self.business_form)
    }
}

fn stamp_text(texts: &'static Texts, tax_year: i32, form: BusinessForm) -> String {
    fill(
        texts.tax_answer.stamp,
        &[
            ("year", &tax_year.to_string()),
            ("business_form", form.label_with(texts)),
        ],
    )
}

/// A stored stamp (English, as [`TaxProfile::stamp`] writes it) in the language of `texts`, for the page to show
/// above an answer; a stamp it cannot read back is shown as it is.
pub fn localized_stamp(stamp: &str, texts: &'static Texts) -> String {
    let digits: String = stamp
        .chars()
        .skip_while(|c| !c.is_ascii_digit())
        .take_while(char::is_ascii_digit)
        .collect();
    let Ok(tax_year) = digits.parse::<i32>() else {
        return stamp.to_string();
    };
    BusinessForm::ALL
        .into_iter()
        .find(|form| stamp_text(Lang::En.texts(), tax_year, *form) == stamp)
        .map_or_else(
            || stamp.to_string(),
            |form| stamp_text(texts, tax_year, form),
        )
}

/// A passage an answer was given, numbered as the answer cites it ([1], [2], ...).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Source {
    pub number: u32,
    pub passage_id: String,
    pub title: String,
    /// The official publication or page, and where in it.
    pub publication: String,
    #[serde(default)]
    pub section: String,
    pub url: String,
    /// The tax year the passage holds for in this answer.
    pub tax_year: i32,
    pub last_checked: String,
}

/// One line of a calculator's result: "Self-employment tax" = "$7,064.78".
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ResultLine {
    pub label: String,
    /// Formatted for reading ("$7,064.78", "15.3 %", "April 15, 2026").
    pub value: String,
}

/// Where a calculator's parameter comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct ParameterSource {
    /// "Social Security wage base 2026: $184,500"
    pub label: String,
    pub source: String,
    pub url: String,
}

/// A calculator's answer: every step shown, the results, and the sources of the year's parameters.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct CalculationResult {
    /// The calculator's key ([`CalculatorInput`]'s tag).
    pub calculator: String,
    pub title: String,
    pub tax_year: i32,
    /// "92.35 % of $50,000.00 = $46,175.00", in order.
    pub steps: Vec<String>,
    pub lines: Vec<ResultLine>,
    /// Conditions and caveats ("No self-employment tax: net earnings under $400").
    #[serde(default)]
    pub notes: Vec<String>,
    pub sources: Vec<ParameterSource>,
}

/// What an answer was grounded on, stored with it and shown around it.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Grounding {
    /// "Tax year 2025 · US federal · Sole proprietor"
    pub stamp: String,
    pub tax_year: i32,
    pub sources: Vec<Source>,
    #[serde(default)]
    pub calculations: Vec<CalculationResult>,
    /// Figures in the answer found in none of its sources or calculations, as written ("$1,234", "18 %").
    #[serde(default)]
    pub unsupported_figures: Vec<String>,
    /// What the knowledge base was searched for when the model rewrote the question (a follow-up, or a question in
    /// another language) into a standalone English query; `None` when it was searched as asked.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub search_query: Option<String>,
}

/// A calculator and its inputs as typed (amounts as text: "50000", "$50,000.00"); the server parses and checks them
/// and names the field of any that is wrong.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "calculator", rename_all = "snake_case")]
pub enum CalculatorInput {
    /// Self-employment tax and the deduction for half of it.
    SelfEmploymentTax {
        tax_year: i32,
        net_profit: String,
        #[serde(default)]
        w2_social_security_wages: String,
    },
    /// Additional Medicare Tax on wages and self-employment income.
    AdditionalMedicareTax {
        tax_year: i32,
        filing_status: FilingStatus,
        #[serde(default)]
        medicare_wages: String,
        self_employment_income: String,
    },
    /// The required annual payment (safe harbors) and each quarterly installment.
    EstimatedPayments {
        tax_year: i32,
        filing_status: FilingStatus,
        expected_tax: String,
        prior_year_tax: String,
        prior_year_agi: String,
        #[serde(default)]
        withholding: String,
    },
    /// The four estimated-tax due dates of a tax year, moved off weekends and legal holidays.
    DueDates { tax_year: i32 },
    /// The standard mileage deduction.
    Mileage {
        tax_year: i32,
        business_miles: String,
    },
    /// The simplified home-office deduction.
    HomeOffice {
        tax_year: i32,
        square_feet: String,
        /// Gross income from the business less its other expenses: the deduction's limit.
        gross_income_limit: String,
    },
    /// "How much should I set aside?": a federal estimate for a simple return.
    SetAside {
        tax_year: i32,
        filing_status: FilingStatus,
        net_profit: String,
        #[serde(default)]
        w2_wages: String,
    },
}

impl CalculatorInput {
    pub fn tax_year(&self) -> i32 {
        match self {
            CalculatorInput::SelfEmploymentTax { tax_year, .. }
            | CalculatorInput::AdditionalMedicareTax { tax_year, .. }
            | CalculatorInput::EstimatedPayments { tax_year, .. }
            | CalculatorInput::DueDates { tax_year }
            | CalculatorInput::Mileage { tax_year, .. }
            | CalculatorInput::HomeOffice { tax_year, .. }
            | CalculatorInput::SetAside { tax_year, .. } => *tax_year,
        }
    }
}

pub use super::FieldError;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_stored_stamp_shows_in_the_pages_language() {
        let profile = TaxProfile {
            tax_year: 2026,
            state: None,
            filing_status: FilingStatus::Single,
            business_form: BusinessForm::SingleMemberLlc,
            has_w2_wages: false,
            saved: true,
        };
        let stamp = profile.stamp();
        assert_eq!(stamp, "Tax year 2026 · US federal · Single-member LLC");
        assert_eq!(localized_stamp(&stamp, Lang::En.texts()), stamp);
        assert_eq!(
            localized_stamp(&stamp, Lang::Vi.texts()),
            "Năm tính thuế 2026 · Liên bang Hoa Kỳ · LLC một thành viên"
        );
        assert_eq!(
            localized_stamp(&stamp, Lang::Vi.texts()),
            profile.stamp_with(Lang::Vi.texts())
        );
        assert_eq!(
            localized_stamp("Not a stamp", Lang::Vi.texts()),
            "Not a stamp"
        );
    }
}
