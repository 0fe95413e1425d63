//! Signing up, in and out, and what Settings changes: the rules each field must meet, the human check, the
//! throttle on failed attempts, sessions, and the move of a guest's history to the account.

use std::sync::Arc;

use uuid::Uuid;

use super::{
    caller::{Caller, SignedIn},
    human_check::HumanCheck,
    password::{password_problems, PasswordHashing},
    rules::{email_problem, username_problems},
    session::{SessionToken, Sessions, SESSION_TTL_MS},
    throttle::{AttemptThrottle, HUMAN_CHECK_AFTER},
};
use crate::{
    i18n::Lang,
    model::FieldError,
    server::{
        error::AppError,
        store::{
            accounts::{taken, GuestMove, NewSession, NewUser, Taken, UserRole, UserRow},
            Store,
        },
    },
};

/// An IP address gets this many times an account's allowance of failures (people share addresses).
pub const IP_FACTOR: u32 = 4;

/// Where an attempt comes from, for the throttle and the sessions list.
#[derive(Clone, Debug, Default)]
pub struct Client {
    pub ip: String,
    pub user_agent: String,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SignUpForm {
    pub username: String,
    pub email: String,
    pub password: String,
    pub human_check: String,
}

#[derive(Clone, Debug, Default, serde::Deserialize)]
#[serde(default)]
pub struct SignInForm {
    pub login: String,
    pub password: String,
    pub human_check: String,
}

/// Why a form was not accepted: its fields (each with every rule it broke), or the request as a whole.
#[derive(Debug)]
pub enum FormRejection {
    Fields {
        errors: Vec<FieldError>,
        needs_human_check: bool,
    },
    Refused(AppError),
}

impl From<AppError> for FormRejection {
    fn from(error: AppError) -> Self {
        FormRejection::Refused(error)
    }
}

impl From<sqlx::Error> for FormRejection {
    fn from(error: sqlx::Error) -> Self {
        FormRejection::Refused(AppError::Database(error))
    }
}

fn field(name: &str, message: impl Into<String>) -> FieldError {
    FieldError {
        field: name.into(),
        message: message.into(),
    }
}

/// A new session, for the cookie, and what came along from the guest.
pub struct SignedInNow {
    pub token: SessionToken,
    pub username: String,
    pub moved: GuestMove,
}

/// Sign-up, sign-in and account changes, with the parts they share.
pub struct Accounts {
    pub store: Arc<dyn Store>,
    pub passwords: PasswordHashing,
    pub sessions: Sessions,
    pub human_check: Arc<dyn HumanCheck>,
    /// Failed sign-ins per account (the login typed).
    pub sign_in_attempts: AttemptThrottle,
    /// Failed sign-ins per IP address: more are allowed, since many people may share one address.
    pub sign_in_attempts_by_ip: AttemptThrottle,
    /// Sign-ups, per IP address.
    pub sign_up_attempts: AttemptThrottle,
}

impl Accounts {
    /// `lang` is the language the messages next to the fields are said in.
    pub async fn sign_up(
        &self,
        caller: &Caller,
        form: SignUpForm,
        client: &Client,
        lang: Lang,
    ) -> Result<SignedInNow, FormRejection> {
        let user = self.register(form, client, lang, true).await?;
        Ok(self.start_session(caller, &user, client).await?)
    }

    /// Creates an account by the sign-up rules. `check_human`: the browser's form solves a proof of work; the
    /// API registers without one, limited per address like every sign-up.
    pub async fn register(
        &self,
        form: SignUpForm,
        client: &Client,
        lang: Lang,
        check_human: bool,
    ) -> Result<UserRow, FormRejection> {
        let t = &lang.texts().identity;
        let ip_key = format!("signup-ip:{}", client.ip);
        if let Some(wait) = self.sign_up_attempts.wait(&[&ip_key]) {
            return Err(AppError::TooManyAttempts {
                retry_after_secs: wait.as_secs().max(1),
            }
            .into());
        }
        let username = form.username.trim().to_string();
        let email = form.email.trim().to_string();
        let mut errors: Vec<FieldError> = username_problems(lang, &username)
            .into_iter()
            .map(|m| field("username", m))
            .collect();
        errors.extend(email_problem(lang, &email).map(|m| field("email", m)));
        errors.extend(
            password_problems(lang, &form.password)
                .into_iter()
                .map(|m| field("password", m)),
        );
        if !errors.is_empty() {
            return Err(FormRejection::Fields {
                errors,
                needs_human_check: true,
            });
        }
        if check_human {
            self.check_human(&form.human_check, lang).await?;
        }
        let password_hash = self.passwords.hash(&form.password).await?;
        // Every account made counts against the address, so one machine cannot mint them by the hundred.
        self.sign_up_attempts.fail(&[&ip_key]);
        let created = self
            .store
            .create_user(NewUser {
                username,
                email,
                password_hash,
                role: UserRole::User,
            })
            .await;
        let user = match created {
            Ok(user) => user,
            Err(error) => {
                return Err(match taken(&error) {
                    Some(Taken::Username) => FormRejection::Fields {
                        errors: vec![field("username", t.username_taken)],
                        needs_human_check: true,
                    },
                    Some(Taken::Email) => FormRejection::Fields {
                        errors: vec![field("email", t.email_taken)],
                        needs_human_check: true,
                    },
                    None => AppError::Database(error).into(),
                })
            }
        };
        tracing::info!(user_id = %user.id, "account created");
        Ok(user)
    }

    pub async fn sign_in(
        &self,
        caller: &Caller,
        form: SignInForm,
        client: &Client,
        lang: Lang,
    ) -> Result<SignedInNow, FormRejection> {
        let user = self.authenticate(form, client, lang).await?;
        Ok(self.start_session(caller, &user, client).await?)
    }

    /// The account whose login and password these are, throttled per account and per address, with the human
    /// check after repeated failures; a disabled account is refused after its password was right.
    pub async fn authenticate(
        &self,
        form: SignInForm,
        client: &Client,
        lang: Lang,
    ) -> Result<UserRow, FormRejection> {
        let t = &lang.texts().identity;
        let login = form.login.trim().to_lowercase();
        let ip_key = format!("ip:{}", client.ip);
        let account_key = format!("login:{login}");
        let wait = [
            self.sign_in_attempts.wait(&[&account_key]),
            self.sign_in_attempts_by_ip.wait(&[&ip_key]),
        ]
        .into_iter()
        .flatten()
        .max();
        if let Some(wait) = wait {
            return Err(AppError::TooManyAttempts {
                retry_after_secs: wait.as_secs().max(1),
            }
            .into());
        }
        let needs_check = || {
            self.sign_in_attempts.failures(&[&account_key]) >= HUMAN_CHECK_AFTER
                || self.sign_in_attempts_by_ip.failures(&[&ip_key]) >= HUMAN_CHECK_AFTER * IP_FACTOR
        };
        let mut errors = Vec::new();
        if login.is_empty() {
            errors.push(field("login", t.enter_login));
        }
        if form.password.is_empty() {
            errors.push(field("password", t.enter_password));
        }
        if !errors.is_empty() {
            return Err(FormRejection::Fields {
                errors,
                needs_human_check: needs_check(),
            });
        }
        if needs_check() {
            self.check_human(&form.human_check, lang).await?;
        }
        let user = self.store.find_user_by_login(&login).await?;
        // An unknown login is checked against a dummy hash: the same answer in the same time.
        let matches = self
            .passwords
            .verify(
                &form.password,
                user.as_ref().map(|u| u.password_hash.as_str()),
            )
            .await?;
        let Some(user) = user.filter(|_| matches) else {
            self.sign_in_attempts.fail(&[&account_key]);
            self.sign_in_attempts_by_ip.fail(&[&ip_key]);
            return Err(FormRejection::Fields {
                errors: vec![field("form", AppError::SignInFailed.message_in(lang))],
                needs_human_check: needs_check(),
            });
        };
        self.sign_in_attempts.succeed(&[&account_key]);
        if user.disabled_at_ms.is_some() {
            return Err(FormRejection::Refused(AppError::AccountDisabled));
        }
        Ok(user)
    }

    /// A missing or failed human check, as an error next to the check.
    fn check_human_field(error: AppError, lang: Lang) -> FormRejection {
        FormRejection::Fields {
            errors: vec![field("human_check", error.message_in(lang))],
            needs_human_check: true,
        }
    }

    async fn check_human(&self, solution: &str, lang: Lang) -> Result<(), FormRejection> {
        self.human_check
            .verify(solution, self.store.as_ref())
            .await
            .map_err(|error| match error {
                AppError::HumanCheckFailed(_) => Self::check_human_field(error, lang),
                other => FormRejection::Refused(other),
            })
    }

    /// A fresh session for the user (never one the browser brought: no fixation), and the guest's history moved.
    async fn start_session(
        &self,
        caller: &Caller,
        user: &UserRow,
        client: &Client,
    ) -> Result<SignedInNow, AppError> {
        let token = SessionToken::generate();
        let user_agent: String = client.user_agent.chars().take(400).collect();
        self.store
            .create_session(NewSession {
                user_id: user.id,
                token_hash: &token.hash(),
                user_agent: &user_agent,
                ttl_ms: SESSION_TTL_MS,
            })
            .await?;
        let moved = match caller {
            Caller::Guest(guest) => {
                self.store
                    .move_guest_to_user(&guest.token_hash, user.id)
                    .await?
            }
            Caller::User(_) => GuestMove::default(),
        };
        if moved.conversations > 0 {
            tracing::info!(user_id = %user.id, conversations = moved.conversations, "guest history moved to the account");
        }
        Ok(SignedInNow {
            token,
            username: user.username.clone(),
            moved,
        })
    }

    pub async fn sign_out(&self, user: &SignedIn) -> Result<(), AppError> {
        self.store
            .revoke_session(user.user_id, user.session_id)
            .await?;
        Ok(())
    }

    /// Checks the current password of a signed-in user (for changes that need it).
    async fn confirm_password(
        &self,
        user_id: Uuid,
        password: &str,
        lang: Lang,
    ) -> Result<UserRow, FormRejection> {
        let user = self
            .store
            .find_user(user_id)
            .await?
            .ok_or(AppError::SignInRequired)?;
        if !self
            .passwords
            .verify(password, Some(&user.password_hash))
            .await?
        {
            return Err(FormRejection::Fields {
                errors: vec![field(
                    "current_password",
                    lang.texts().identity.not_current_password,
                )],
                needs_human_check: false,
            });
        }
        Ok(user)
    }

    pub async fn change_email(
        &self,
        user: &SignedIn,
        email: &str,
        lang: Lang,
    ) -> Result<(), FormRejection> {
        let email = email.trim();
        if let Some(problem) = email_problem(lang, email) {
            return Err(FormRejection::Fields {
                errors: vec![field("email", problem)],
                needs_human_check: false,
            });
        }
        match self.store.set_email(user.user_id, email).await {
            Ok(_) => Ok(()),
            Err(error) if taken(&error) == Some(Taken::Email) => Err(FormRejection::Fields {
                errors: vec![field("email", lang.texts().identity.email_in_use)],
                needs_human_check: false,
            }),
            Err(error) => Err(AppError::Database(error).into()),
        }
    }

    /// Changes the password and signs out every other session; returns how many were signed out.
    pub async fn change_password(
        &self,
        user: &SignedIn,
        current: &str,
        new: &str,
        lang: Lang,
    ) -> Result<u64, FormRejection> {
        let problems: Vec<FieldError> = password_problems(lang, new)
            .into_iter()
            .map(|m| field("new_password", m))
            .collect();
        self.confirm_password(user.user_id, current, lang).await?;
        if !problems.is_empty() {
            return Err(FormRejection::Fields {
                errors: problems,
                needs_human_check: false,
            });
        }
        let hash = self.passwords.hash(new).await?;
        self.store.set_password_hash(user.user_id, &hash).await?;
        let signed_out = self
            .store
            .revoke_other_sessions(user.user_id, Some(user.session_id))
            .await?;
        tracing::info!(user_id = %user.user_id, signed_out, "password changed");
        Ok(signed_out)
    }

    pub async fn delete_account(
        &self,
        user: &SignedIn,
        password: &str,
        lang: Lang,
    ) -> Result<(), FormRejection> {
        self.confirm_password(user.user_id, password, lang).await?;
        self.store.delete_user(user.user_id).await?;
        tracing::info!(user_id = %user.user_id, "account deleted");
        Ok(())
    }
}

/// Creates a user from the command line (`tally admin create-user`): the same rules, no human check or throttle.
pub async fn create_user(
    store: &dyn Store,
    passwords: &PasswordHashing,
    username: &str,
    email: &str,
    password: &str,
    role: UserRole,
) -> Result<UserRow, String> {
    let mut problems: Vec<String> = username_problems(Lang::En, username)
        .into_iter()
        .map(|p| format!("username: {p}"))
        .collect();
    problems.extend(email_problem(Lang::En, email).map(|p| format!("email: {p}")));
    problems.extend(
        password_problems(Lang::En, password)
            .into_iter()
            .map(|p| format!("password: {p}")),
    );
    if !problems.is_empty() {
        return Err(problems.join("\n"));
    }
    let hash = passwords.hash(password).await.map_err(|e| e.to_string())?;
    store
        .create_user(NewUser {
            username: username.into(),
            email: email.into(),
            password_hash: hash,
            role,
        })
        .await
        .map_err(|error| match taken(&error) {
            Some(Taken::Username) => format!("the username {username:?} is taken"),
            Some(Taken::Email) => format!("an account with the email {email:?} exists"),
            None => format!("cannot create the user: {error}"),
        })
}
