//! `tally-bench seed-long-read`: one user with one very long conversation (2,000 messages by default), for the
//! browser measurement of opening and scrolling it (`scripts/bench-long-conversation.sh`). The answers are
//! like real ones: headings, lists, a table, a paragraph of prose.

use super::history::seed_exchange;
use clap::Args;
use tally::server::{
    identity::{accounts::create_user, password::PasswordHashing},
    store::{self, accounts::UserRole, DatabaseSettings, Owner},
};

#[derive(Args)]
pub struct LongReadArgs {
    /// The server's DATABASE_URL (its SQLite file, say).
    #[arg(long)]
    database_url: String,
    #[arg(long, default_value = "longread")]
    username: String,
    #[arg(long, default_value = "Long-Read-2026")]
    password: String,
    /// Messages in all (two per question and answer).
    #[arg(long, default_value_t = 2000)]
    messages: usize,
}

pub async fn run(args: LongReadArgs) {
    let store = store::connect(&args.database_url, &DatabaseSettings::default())
        .await
        .expect("database");
    let user = create_user(
        store.as_ref(),
        &PasswordHashing::new(1),
        &args.username,
        &format!("{}@example.com", args.username),
        &args.password,
        UserRole::User,
    )
    .await
    .expect("user");
    let owner = Owner::User(user.id);
    let conversation = store
        .create_conversation(owner, "tax", "A year of bookkeeping questions", None)
        .await
        .expect("conversation");
    for turn in 0..args.messages / 2 {
        let question = format!("Question {turn}: how do I record invoice {turn} and its expenses?");
        seed_exchange(
            &*store,
            conversation.id,
            question,
            answer_text(turn),
            Some(400),
            2400,
        )
        .await;
    }
    println!("{}", conversation.id);
}

fn answer_text(turn: usize) -> String {
    format!(
        "## Recording invoice {turn}\n\nRecord the income when you receive it if you use the cash method, and keep \
         the invoice with the bank statement that shows the payment. Expenses that are ordinary and necessary for \
         the business go on Schedule C in the matching category.\n\n- **Income:** Schedule C, line 1\n- \
         **Supplies:** line 22\n- **Software:** line 18 (office expense)\n\n| Item | Amount |\n|---|---|\n| Invoice \
         | ${} |\n| Expenses | ${} |\n\nKeep receipts for at least three years after you file.",
        1200 + turn,
        150 + turn % 90
    )
}
