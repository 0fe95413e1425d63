//! The database the integration tests run against. SQLite by default; with `TALLY_TEST_DATABASE=postgres` every
//! test gets a fresh PostgreSQL database of its own on `TALLY_TEST_POSTGRES_URL`
//! (default `postgres://postgres@127.0.0.1:5432/postgres`), dropped when the test ends.

use std::{
    path::Path,
    sync::{atomic::AtomicU32, atomic::Ordering, Arc},
};

use sqlx::{any::AnyPoolOptions, AnyPool, Connection, Executor, PgConnection};
use tally::server::store::{self, DatabaseSettings, Store};

static NEXT: AtomicU32 = AtomicU32::new(0);

pub struct TestDatabase {
    pub url: String,
    /// For PostgreSQL: the server's maintenance URL and the database to drop at the end.
    postgres: Option<(String, String)>,
}

pub fn wants_postgres() -> bool {
    std::env::var("TALLY_TEST_DATABASE").is_ok_and(|v| v == "postgres")
}

fn postgres_admin_url() -> String {
    std::env::var("TALLY_TEST_POSTGRES_URL")
        .unwrap_or_else(|_| "postgres://postgres@127.0.0.1:5432/postgres".into())
}

/// `base` with its database name replaced.
fn with_database(base: &str, name: &str) -> String {
    let (before_query, query) = base
        .split_once('?')
        .map_or((base, None), |(a, q)| (a, Some(q)));
    let server = before_query
        .rsplit_once('/')
        .map_or(before_query, |(server, _)| server);
    match query {
        Some(query) => format!("{server}/{name}?{query}"),
        None => format!("{server}/{name}"),
    }
}

impl TestDatabase {
    pub async fn create(data_dir: &Path) -> Self {
        if !wants_postgres() {
            return TestDatabase {
                url: format!("sqlite://{}/tally.db", data_dir.display()),
                postgres: None,
            };
        }
        let admin = postgres_admin_url();
        let name = format!(
            "tally_test_{}_{}_{}",
            std::process::id(),
            NEXT.fetch_add(1, Ordering::Relaxed),
            uuid::Uuid::new_v4()
                .simple()
                .to_string()
                .get(..8)
                .unwrap_or("x")
        );
        let mut connection = PgConnection::connect(&admin)
            .await
            .unwrap_or_else(|e| panic!("PostgreSQL at {admin} is not reachable: {e}"));
        connection
            .execute(format!("CREATE DATABASE {name}").as_str())
            .await
            .expect("create test database");
        TestDatabase {
            url: with_database(&admin, &name),
            postgres: Some((admin, name)),
        }
    }

    pub async fn store(&self) -> Arc<dyn Store> {
        let settings = DatabaseSettings {
            max_connections: 4,
            ..DatabaseSettings::default()
        };
        store::connect(&self.url, &settings)
            .await
            .expect("database opens")
    }

    /// A pool for reading back what was stored, whichever the database (queries use `$1` placeholders).
    pub async fn reader(&self) -> AnyPool {
        sqlx::any::install_default_drivers();
        AnyPoolOptions::new()
            .max_connections(2)
            .connect(&self.url)
            .await
            .expect("reader pool")
    }
}

impl Drop for TestDatabase {
    fn drop(&mut self) {
        let Some((admin, name)) = self.postgres.take() else {
            return;
        };
        // Drop runs inside the test's runtime, which cannot be blocked on; a thread with its own runtime can.
        let dropped = std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("runtime");
            runtime.block_on(async move {
                let mut connection = PgConnection::connect(&admin).await?;
                connection
                    .execute(format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)").as_str())
                    .await
                    .map(|_| ())
            })
        })
        .join();
        if !matches!(dropped, Ok(Ok(()))) {
            eprintln!("warning: test database was not dropped: {dropped:?}");
        }
    }
}
