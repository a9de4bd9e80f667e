//! Checks on `infra/template.yaml` that no linter makes: every function has
//! its log group with a retention and an alarm on its errors, its policy is
//! least-privilege in shape, and the HMAC key reaches it only as a secret's
//! ARN. Each check walks every `AWS::Serverless::Function`, so a function
//! added without these fails here.

use serde_yaml::{Mapping, Value};

/// The resource name a `!Ref Name` (or `{Ref: Name}`) points at.
fn reference(v: &Value) -> Option<&str> {
    match v {
        Value::Tagged(t) if t.tag == "Ref" => t.value.as_str(),
        Value::Mapping(m) => m.get("Ref").and_then(Value::as_str),
        _ => None,
    }
}

/// `Table.Arn` for `!GetAtt Table.Arn`.
fn get_att(v: &Value) -> Option<&str> {
    match v {
        Value::Tagged(t) if t.tag == "GetAtt" => t.value.as_str(),
        _ => None,
    }
}

/// A value that may be one item or a list of them, as a list.
fn one_or_many(v: Option<&Value>) -> Vec<&Value> {
    match v {
        None => Vec::new(),
        Some(Value::Sequence(items)) => items.iter().collect(),
        Some(one) => vec![one],
    }
}

struct Audit {
    doc: Value,
}

impl Audit {
    fn workspace() -> Self {
        let path = crate::workspace_root().join("infra/template.yaml");
        let text = std::fs::read_to_string(path).unwrap();
        Self {
            doc: serde_yaml::from_str(&text).unwrap(),
        }
    }

    fn resources(&self) -> &Mapping {
        self.doc
            .get("Resources")
            .and_then(Value::as_mapping)
            .unwrap()
    }

    fn resource(&self, name: &str) -> Option<&Value> {
        self.resources().get(name)
    }

    fn of_type<'a>(&'a self, kind: &'a str) -> impl Iterator<Item = (&'a str, &'a Value)> + 'a {
        self.resources()
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(kind))
            .map(|(name, r)| (name.as_str().unwrap(), r))
    }

    /// Every function, with its properties. Never empty: an audit of nothing
    /// would pass.
    fn functions(&self) -> Vec<(&str, &Value)> {
        let functions: Vec<_> = self
            .of_type("AWS::Serverless::Function")
            .map(|(name, r)| (name, r.get("Properties").unwrap()))
            .collect();
        assert!(functions.len() >= 11, "found {} functions", functions.len());
        functions
    }

    /// The statements of a function's policies: inline statements and the
    /// template's own managed policies it references. A SAM policy template or
    /// an AWS managed policy hides what it allows, so it fails the audit.
    fn statements<'a>(&'a self, function: &str, props: &'a Value) -> Vec<&'a Value> {
        let policies = props
            .get("Policies")
            .and_then(Value::as_sequence)
            .unwrap_or_else(|| panic!("{function} has no Policies list"));
        let mut statements = Vec::new();
        for policy in policies {
            let document = if let Some(name) = reference(policy) {
                let managed = self
                    .resource(name)
                    .filter(|r| {
                        r.get("Type").and_then(Value::as_str) == Some("AWS::IAM::ManagedPolicy")
                    })
                    .unwrap_or_else(|| panic!("{function}: {name} is not a managed policy here"));
                managed
                    .get("Properties")
                    .unwrap()
                    .get("PolicyDocument")
                    .unwrap()
            } else if policy.get("Statement").is_some() {
                policy
            } else {
                panic!("{function}: a policy whose statements are not in this template: {policy:?}")
            };
            statements.extend(one_or_many(document.get("Statement")));
        }
        statements
    }
}

fn strings(v: Option<&Value>) -> Vec<&str> {
    one_or_many(v)
        .into_iter()
        .filter_map(Value::as_str)
        .collect()
}

#[test]
fn every_function_has_a_log_group_with_retention_and_an_errors_alarm() {
    let audit = Audit::workspace();
    for (function, props) in audit.functions() {
        let group = props
            .get("LoggingConfig")
            .and_then(|l| l.get("LogGroup"))
            .and_then(reference)
            .unwrap_or_else(|| panic!("{function} has no LoggingConfig.LogGroup: !Ref …"));
        let group = audit
            .resource(group)
            .unwrap_or_else(|| panic!("{group} is missing"));
        assert_eq!(
            group.get("Type").and_then(Value::as_str),
            Some("AWS::Logs::LogGroup"),
            "{function}'s log group"
        );
        assert!(
            group
                .get("Properties")
                .and_then(|p| p.get("RetentionInDays"))
                .is_some(),
            "{function}'s log group keeps its logs forever"
        );

        let alarmed = audit.of_type("AWS::CloudWatch::Alarm").any(|(_, alarm)| {
            let p = alarm.get("Properties").unwrap();
            p.get("Namespace").and_then(Value::as_str) == Some("AWS/Lambda")
                && p.get("MetricName").and_then(Value::as_str) == Some("Errors")
                && !one_or_many(p.get("AlarmActions")).is_empty()
                && one_or_many(p.get("Dimensions")).iter().any(|d| {
                    d.get("Name").and_then(Value::as_str) == Some("FunctionName")
                        && d.get("Value").and_then(reference) == Some(function)
                })
        });
        assert!(alarmed, "{function} has no Errors alarm with an action");
    }
}

#[test]
fn no_function_policy_allows_every_resource_or_a_wildcard_action() {
    let audit = Audit::workspace();
    for (function, props) in audit.functions() {
        let statements = audit.statements(function, props);
        assert!(!statements.is_empty(), "{function} has no statements");
        for s in statements {
            assert_eq!(s.get("Effect").and_then(Value::as_str), Some("Allow"));
            assert!(
                s.get("NotAction").is_none(),
                "{function}: NotAction in {s:?}"
            );
            let actions = strings(s.get("Action"));
            assert!(!actions.is_empty(), "{function}: no actions in {s:?}");
            for action in &actions {
                assert!(
                    !action.contains('*'),
                    "{function}: wildcard action {action}"
                );
            }
            let resources = one_or_many(s.get("Resource"));
            if resources.is_empty() {
                // Sending an SMS to a phone number has no resource ARN; AWS's
                // way to allow only that is "every resource but topics".
                assert_eq!(actions, ["sns:Publish"], "{function}: NotResource in {s:?}");
                assert!(
                    s.get("NotResource").is_some(),
                    "{function}: no resource in {s:?}"
                );
            }
            for resource in resources {
                assert_ne!(
                    resource.as_str(),
                    Some("*"),
                    "{function}: every resource for {actions:?}"
                );
            }
        }
    }
}

#[test]
fn table_statements_are_limited_to_key_prefixes_the_store_builds() {
    let audit = Audit::workspace();
    let keys =
        std::fs::read_to_string(crate::workspace_root().join("shared/src/store/keys.rs")).unwrap();
    for (function, props) in audit.functions() {
        for s in audit.statements(function, props) {
            let on_table = one_or_many(s.get("Resource"))
                .into_iter()
                .any(|r| get_att(r) == Some("Table.Arn"));
            if !on_table {
                continue;
            }
            let prefixes = strings(
                s.get("Condition")
                    .and_then(|c| c.get("ForAllValues:StringLike"))
                    .and_then(|c| c.get("dynamodb:LeadingKeys")),
            );
            assert!(
                !prefixes.is_empty(),
                "{function}: a table statement without a LeadingKeys condition: {s:?}"
            );
            for prefix in prefixes {
                let literal = prefix
                    .strip_suffix('*')
                    .filter(|p| p.ends_with('#'))
                    .unwrap_or_else(|| panic!("{function}: {prefix} is not a KEY#* prefix"));
                assert!(
                    keys.contains(&format!("\"{literal}")),
                    "{function}: no key in store/keys.rs starts with {literal}"
                );
            }
        }
    }
}

/// The functions that never hash: they get neither the key's secret ARN nor
/// the right to read it, and their binaries read only the table's name.
const KEYLESS: [&str; 2] = ["ListSlotsFunction", "QueueFunction"];

#[test]
fn the_hash_key_reaches_only_functions_that_hash_as_a_secret_arn_never_as_its_value() {
    let audit = Audit::workspace();
    let global = audit
        .doc
        .get("Globals")
        .and_then(|g| g.get("Function"))
        .and_then(|f| f.get("Environment"))
        .and_then(|e| e.get("Variables"))
        .unwrap();
    assert!(
        global.get("HASH_KEY_SECRET_ARN").is_none(),
        "every function would get the key's secret ARN"
    );
    let text = serde_yaml::to_string(&audit.doc).unwrap();
    assert!(
        !text.contains("resolve:secretsmanager"),
        "a dynamic reference puts the secret's value into the template's output"
    );
    let mut keyless_seen = Vec::new();
    for (function, props) in audit.functions() {
        let own = props.get("Environment").and_then(|e| e.get("Variables"));
        for variables in [Some(global), own].into_iter().flatten() {
            assert!(
                variables.get("HASH_KEY").is_none(),
                "{function} gets HASH_KEY in its environment"
            );
        }
        let arn = own.and_then(|v| v.get("HASH_KEY_SECRET_ARN"));
        let reads: Vec<_> = audit
            .statements(function, props)
            .into_iter()
            .filter(|s| strings(s.get("Action")).contains(&"secretsmanager:GetSecretValue"))
            .flat_map(|s| one_or_many(s.get("Resource")))
            .collect();
        if KEYLESS.contains(&function) {
            keyless_seen.push(function);
            assert!(
                arn.is_none(),
                "{function} never hashes but gets the key's ARN"
            );
            assert!(
                reads.is_empty(),
                "{function} never hashes but may read the key"
            );
            continue;
        }
        assert_eq!(
            arn.and_then(reference),
            Some("HashKeySecretArn"),
            "{function}"
        );
        assert!(!reads.is_empty(), "{function} cannot read the key's secret");
        for resource in reads {
            assert_eq!(
                reference(resource),
                Some("HashKeySecretArn"),
                "{function} reads another secret"
            );
        }
    }
    assert_eq!(
        keyless_seen, KEYLESS,
        "the keyless functions are in the template"
    );
}

#[test]
fn every_function_binary_is_released_and_loads_its_key_the_way_the_template_passes_it() {
    let audit = Audit::workspace();
    let root = crate::workspace_root();
    let release = std::fs::read_to_string(root.join("infra/build-release")).unwrap();
    let released: Vec<&str> = release
        .lines()
        .find_map(|l| l.strip_prefix("FUNCTIONS=("))
        .and_then(|l| l.strip_suffix(')'))
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    for (function, resource) in audit.of_type("AWS::Serverless::Function") {
        let Some(binary) = resource
            .get("Metadata")
            .and_then(|m| m.get("BuildProperties"))
            .and_then(|b| b.get("Binary"))
            .and_then(Value::as_str)
        else {
            continue;
        };
        assert!(
            released.contains(&binary),
            "{function}: infra/build-release does not build {binary}"
        );
        let main = root.join("functions").join(binary).join("src/main.rs");
        let source = std::fs::read_to_string(&main)
            .unwrap_or_else(|e| panic!("{function}: {}: {e}", main.display()));
        // `Config::from_env` itself, not `NotifyConfig::from_env`.
        let from_env = source.match_indices("Config::from_env(").any(|(at, _)| {
            !source[..at]
                .chars()
                .next_back()
                .is_some_and(|c| c.is_alphanumeric())
        });
        if KEYLESS.contains(&function) {
            assert!(
                !source.contains("Config::load(") && !from_env && source.contains("Base::new("),
                "{function}: {} never hashes, so it must build a keyless Base",
                main.display()
            );
            continue;
        }
        assert!(
            source.contains("Config::load(") && !from_env,
            "{function}: {} must read HASH_KEY_SECRET_ARN through Config::load",
            main.display()
        );
    }
}

#[test]
fn cors_allows_the_one_origin_a_deployer_names_and_never_a_wildcard() {
    let audit = Audit::workspace();
    let api = audit.resource("HttpApi").expect("the HttpApi");
    let origins = one_or_many(
        api.get("Properties")
            .and_then(|p| p.get("CorsConfiguration"))
            .and_then(|c| c.get("AllowOrigins")),
    );
    assert_eq!(origins.len(), 1, "one allowed origin");
    let parameter = reference(origins[0]).expect("the origin is a parameter");
    let parameter = audit
        .doc
        .get("Parameters")
        .and_then(|p| p.get(parameter))
        .expect("the origin parameter");
    assert!(
        parameter.get("Default").is_none(),
        "no default origin: the deployer names it"
    );
    let pattern = parameter
        .get("AllowedPattern")
        .and_then(Value::as_str)
        .unwrap_or("");
    assert!(
        pattern.starts_with("https://") && pattern.contains("[^/*]"),
        "only one https origin, never *: {pattern:?}"
    );
}

#[test]
fn sms_spend_has_an_alarm_at_a_deployer_amount_and_the_site_takes_an_optional_web_acl() {
    let audit = Audit::workspace();
    let parameters = audit.doc.get("Parameters").expect("parameters");
    let alarm = audit
        .resource("SmsSpendAlarm")
        .and_then(|a| a.get("Properties"))
        .expect("the SMS spend alarm");
    assert_eq!(
        alarm.get("MetricName").and_then(Value::as_str),
        Some("SMSMonthToDateSpentUSD")
    );
    let threshold = reference(alarm.get("Threshold").expect("a threshold")).expect("a parameter");
    assert!(parameters.get(threshold).is_some(), "{threshold}");
    assert!(
        alarm
            .get("AlarmActions")
            .is_some_and(|a| a.as_sequence().is_some_and(|s| !s.is_empty())),
        "the alarm notifies someone"
    );

    let site = audit
        .of_type("AWS::CloudFront::Distribution")
        .next()
        .expect("the site's distribution")
        .1;
    let web_acl = site
        .get("Properties")
        .and_then(|p| p.get("DistributionConfig"))
        .and_then(|c| c.get("WebACLId"))
        .expect("the distribution takes a web ACL");
    assert!(
        format!("{web_acl:?}").contains("SiteWebAclArn"),
        "from the SiteWebAclArn parameter: {web_acl:?}"
    );
    let pattern = parameters
        .get("SiteWebAclArn")
        .and_then(|p| p.get("AllowedPattern"))
        .and_then(Value::as_str)
        .unwrap_or("");
    assert!(
        pattern.contains("us-east-1") && pattern.contains("global/webacl"),
        "{pattern}"
    );
}
