//! The one template set (`shared/messages/templates/`), embedded at compile time
//! and parsed once per process.
//!
//! Templates print no literal words: every string comes from `tr(key, name=value…)`
//! or `tr_plural(key, n)`, which read the language from the context's `lang`.
//! Undefined values are errors (strict mode), `.html` templates are HTML-escaped.

use crate::domain::catalog::Lang;
use crate::messages::RenderError;
use crate::messages::i18n::{self, TranslationError};
use minijinja::value::{Kwargs, Value};
use minijinja::{AutoEscape, Environment, ErrorKind, Output, State, UndefinedBehavior};
use serde::Serialize;
use std::sync::LazyLock;

macro_rules! embedded {
    ($($name:literal),* $(,)?) => {
        [$(($name, include_str!(concat!("../../messages/templates/", $name)))),*]
    };
}

/// Every template, by name.
const TEMPLATES: [(&str, &str); 23] = embedded!(
    "layout.html.j2",
    "visit.html.j2",
    "kiosk.html.j2",
    "cancel.html.j2",
    "hold_created.html.j2",
    "confirmed.html.j2",
    "cancelled.html.j2",
    "expired.html.j2",
    "reminder.html.j2",
    "no_show_block.html.j2",
    "cancel_link.html.j2",
    "layout.txt.j2",
    "visit.txt.j2",
    "kiosk.txt.j2",
    "cancel.txt.j2",
    "hold_created.txt.j2",
    "confirmed.txt.j2",
    "cancelled.txt.j2",
    "expired.txt.j2",
    "reminder.txt.j2",
    "no_show_block.txt.j2",
    "cancel_link.txt.j2",
    "sms.txt.j2",
);

static ENVIRONMENT: LazyLock<Result<Environment<'static>, minijinja::Error>> = LazyLock::new(build);

fn build() -> Result<Environment<'static>, minijinja::Error> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    // Partials end with a newline, so `{% include %}` on its own line keeps the layout.
    env.set_keep_trailing_newline(true);
    // Debug info would print context values (links with tokens) into error output.
    env.set_debug(false);
    env.set_formatter(formatter);
    env.add_function("tr", tr);
    env.add_function("tr_plural", tr_plural);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)?;
    }
    Ok(env)
}

/// minijinja's HTML escaping also turns `/` into `&#x2f;`, which is valid but makes
/// every `href` unreadable to link scanners and click tracking; this escapes only
/// the five characters that matter in text and quoted attributes.
fn formatter(out: &mut Output, state: &State, value: &Value) -> Result<(), minijinja::Error> {
    match (state.auto_escape(), value.as_str()) {
        (AutoEscape::Html, Some(text)) if !value.is_safe() => {
            out.write_str(&escape_html(text)).map_err(|_| {
                minijinja::Error::new(ErrorKind::WriteFailure, "writing the output failed")
            })
        }
        _ => minijinja::escape_formatter(out, state, value),
    }
}

/// `&`, `<`, `>`, `"` and `'` as entities.
fn escape_html(text: &str) -> String {
    let mut escaped = String::with_capacity(text.len() + 16);
    for c in text.chars() {
        match c {
            '&' => escaped.push_str("&amp;"),
            '<' => escaped.push_str("&lt;"),
            '>' => escaped.push_str("&gt;"),
            '"' => escaped.push_str("&quot;"),
            '\'' => escaped.push_str("&#39;"),
            _ => escaped.push(c),
        }
    }
    escaped
}

/// Renders the template `name` with `context`, which must carry `lang`.
pub(crate) fn render(name: &str, context: &impl Serialize) -> Result<String, RenderError> {
    let env = match &*ENVIRONMENT {
        Ok(env) => env,
        // minijinja errors are not Clone: building again yields the same error, owned.
        Err(_) => {
            let source = build().err().unwrap_or_else(|| {
                minijinja::Error::new(
                    ErrorKind::InvalidOperation,
                    "the template set failed to load",
                )
            });
            return Err(RenderError::Template {
                name: name.to_owned(),
                source,
            });
        }
    };
    env.get_template(name)
        .and_then(|template| template.render(context))
        .map_err(|source| template_error(name, source))
}

/// A translation failure inside a template becomes [`RenderError::Translation`];
/// anything else stays a template error.
fn template_error(name: &str, source: minijinja::Error) -> RenderError {
    let mut cause: Option<&(dyn std::error::Error + 'static)> = Some(&source);
    while let Some(error) = cause {
        if let Some(missing) = error.downcast_ref::<TranslationError>() {
            return RenderError::Translation(missing.clone());
        }
        cause = error.source();
    }
    RenderError::Template {
        name: name.to_owned(),
        source,
    }
}

fn lang_of(state: &State) -> Result<Lang, minijinja::Error> {
    let code = state
        .lookup("lang")
        .and_then(|v| v.as_str().map(str::to_owned));
    Lang::ALL
        .into_iter()
        .find(|lang| Some(i18n::code(*lang)) == code.as_deref())
        .ok_or_else(|| {
            minijinja::Error::new(ErrorKind::UndefinedError, "the context has no valid `lang`")
        })
}

fn translation_failed(error: TranslationError) -> minijinja::Error {
    minijinja::Error::new(ErrorKind::InvalidOperation, "translation failed").with_source(error)
}

/// `tr(key, name=value, …)`: the translation of `key` with its placeholders filled.
/// Every keyword must be used by the translation (catches typos in templates).
fn tr(state: &State, key: &str, kwargs: Kwargs) -> Result<String, minijinja::Error> {
    let lang = lang_of(state)?;
    let translations = i18n::translations()
        .map_err(|e| minijinja::Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
    let raw = translations.raw(lang, key).map_err(translation_failed)?;
    let mut lookup_failed = None;
    let filled = i18n::fill(raw, |name| match kwargs.get::<Option<Value>>(name) {
        Ok(value) => value.map(|v| v.to_string()),
        Err(e) => {
            lookup_failed = Some(e);
            None
        }
    });
    if let Some(e) = lookup_failed {
        return Err(e);
    }
    let text = filled.map_err(|placeholder| {
        translation_failed(TranslationError::MissingPlaceholder {
            lang,
            key: key.to_owned(),
            placeholder,
        })
    })?;
    kwargs.assert_all_used()?;
    Ok(text)
}

/// `tr_plural(key, n)`: `key.one` / `key.few` / `key.many` by the language's plural
/// rule, with `{n}` filled.
fn tr_plural(state: &State, key: &str, n: u32) -> Result<String, minijinja::Error> {
    let lang = lang_of(state)?;
    let translations = i18n::translations()
        .map_err(|e| minijinja::Error::new(ErrorKind::InvalidOperation, e.to_string()))?;
    let key = format!("{key}.{}", i18n::plural(lang, n));
    translations
        .text(lang, &key, &[("n", &n.to_string())])
        .map_err(translation_failed)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_embedded_template_parses() {
        let env = build().expect("templates parse");
        for (name, _) in TEMPLATES {
            assert!(env.get_template(name).is_ok(), "{name}");
        }
    }

    #[test]
    fn a_missing_key_in_a_template_is_a_translation_error() {
        let mut env = Environment::new();
        env.set_undefined_behavior(UndefinedBehavior::Strict);
        env.add_function("tr", tr);
        env.add_template("t.html", "<p>{{ tr(\"no.such.key\") }}</p>")
            .unwrap();
        let error = env
            .get_template("t.html")
            .unwrap()
            .render(minijinja::context! { lang => "cs" })
            .unwrap_err();
        assert!(matches!(
            template_error("t.html", error),
            RenderError::Translation(TranslationError::MissingKey { lang: Lang::Cs, .. })
        ));
    }

    #[test]
    fn an_unused_or_missing_placeholder_value_is_an_error() {
        let mut env = Environment::new();
        env.add_function("tr", tr);
        env.add_template("extra", "{{ tr(\"ics.kiosk\", code=1, typo=2) }}")
            .unwrap();
        env.add_template("missing", "{{ tr(\"ics.kiosk\") }}")
            .unwrap();
        let ctx = minijinja::context! { lang => "pl" };
        assert!(env.get_template("extra").unwrap().render(&ctx).is_err());
        let missing = env
            .get_template("missing")
            .unwrap()
            .render(&ctx)
            .unwrap_err();
        assert!(matches!(
            template_error("missing", missing),
            RenderError::Translation(TranslationError::MissingPlaceholder { .. })
        ));
    }

    #[test]
    fn translated_values_are_html_escaped_once() {
        let mut env = Environment::new();
        env.set_formatter(formatter);
        env.add_function("tr", tr);
        env.add_template("t.html", "{{ tr(\"ics.kiosk\", code=code) }}")
            .unwrap();
        let out = env
            .get_template("t.html")
            .unwrap()
            .render(minijinja::context! { lang => "en", code => "<b>&</b>" })
            .unwrap();
        assert_eq!(out, "Kiosk code: &lt;b&gt;&amp;&lt;/b&gt;");
    }
}
