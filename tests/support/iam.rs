//! The template's IAM policies, checked against what each function really
//! calls. An SDK interceptor records every DynamoDB call made while a
//! function's handler runs (the function is named for the task with
//! [`as_function`]): the action and the partition key of each item it
//! touches (each item of a transaction on its own, as IAM authorizes them).
//! [`Policies::violations`] names every call the function's policy in
//! `infra/template.yaml` would refuse in AWS: an action not allowed on the
//! table or index, or a key outside the statement's `dynamodb:LeadingKeys`.
//! Local DynamoDB checks no IAM, so without this a missing grant shows only
//! after a deploy.

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::BeforeTransmitInterceptorContextRef;
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::ConfigBag;
use serde_json::Value as Json;
use serde_yaml::Value;
use std::collections::BTreeMap;
use std::future::Future;
use std::sync::{Arc, Mutex};

tokio::task_local! {
    /// The template's logical id of the function whose handler runs in this task.
    static FUNCTION: String;
}

/// Runs `work` as function `function` (a logical id of the template): its
/// DynamoDB calls are recorded against that function's policy.
pub async fn as_function<F: Future>(function: &str, work: F) -> F::Output {
    // On the heap: a handler's future is large, and test threads' stacks small.
    FUNCTION.scope(function.to_owned(), Box::pin(work)).await
}

/// One item a call touched, as IAM sees it.
#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct Access {
    pub function: String,
    /// `dynamodb:PutItem`, `dynamodb:Query`, …
    pub action: String,
    /// The index queried, if any (`gsi1`).
    pub index: Option<String>,
    /// The partition key (`BOOKING#01…`), when the call names one.
    pub pk: Option<String>,
}

/// Records the accesses of calls made inside [`as_function`].
#[derive(Debug, Clone, Default)]
pub struct IamRecorder(Arc<Mutex<Vec<Access>>>);

impl IamRecorder {
    pub fn accesses(&self) -> Vec<Access> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

impl Intercept for IamRecorder {
    fn name(&self) -> &'static str {
        "IamRecorder"
    }

    fn read_before_transmit(
        &self,
        context: &BeforeTransmitInterceptorContextRef<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let Ok(function) = FUNCTION.try_with(String::clone) else {
            return Ok(());
        };
        let operation = cfg.load::<Metadata>().map_or("unknown", |m| m.name());
        let body = context
            .request()
            .body()
            .bytes()
            .and_then(|b| serde_json::from_slice::<Json>(b).ok())
            .unwrap_or(Json::Null);
        let found = accesses_of(&function, operation, &body);
        self.0
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .extend(found);
        Ok(())
    }
}

fn key_pk(key_or_item: &Json) -> Option<String> {
    key_or_item["pk"]["S"].as_str().map(str::to_owned)
}

/// The partition key a key condition names (`pk = :pk …`).
fn query_pk(body: &Json) -> Option<String> {
    let condition = body["KeyConditionExpression"].as_str()?;
    let rest = condition.split_once("pk = ")?.1;
    let placeholder: String = rest
        .chars()
        .take_while(|c| *c == ':' || c.is_alphanumeric() || *c == '_')
        .collect();
    body["ExpressionAttributeValues"][placeholder.as_str()]["S"]
        .as_str()
        .map(str::to_owned)
}

/// What one call touches.
pub fn accesses_of(function: &str, operation: &str, body: &Json) -> Vec<Access> {
    let access = |action: &str, index: Option<String>, pk: Option<String>| Access {
        function: function.to_owned(),
        action: format!("dynamodb:{action}"),
        index,
        pk,
    };
    match operation {
        "TransactWriteItems" => body["TransactItems"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|item| {
                let (kind, part) = item.as_object()?.iter().next()?;
                let (action, pk) = match kind.as_str() {
                    "Put" => ("PutItem", key_pk(&part["Item"])),
                    "Update" => ("UpdateItem", key_pk(&part["Key"])),
                    "Delete" => ("DeleteItem", key_pk(&part["Key"])),
                    "ConditionCheck" => ("ConditionCheckItem", key_pk(&part["Key"])),
                    other => (other, None),
                };
                Some(access(action, None, pk))
            })
            .collect(),
        "GetItem" | "UpdateItem" | "DeleteItem" => {
            vec![access(operation, None, key_pk(&body["Key"]))]
        }
        "PutItem" => vec![access(operation, None, key_pk(&body["Item"]))],
        "Query" => {
            let index = body["IndexName"].as_str().map(str::to_owned);
            let pk = if index.is_some() {
                None
            } else {
                query_pk(body)
            };
            vec![access(operation, index, pk)]
        }
        other => vec![access(
            other,
            body["IndexName"].as_str().map(str::to_owned),
            None,
        )],
    }
}

/// One allowing statement of a function's policy, as far as DynamoDB goes.
#[derive(Debug, Clone)]
struct Grant {
    actions: Vec<String>,
    /// `table`, or an index name.
    resources: Vec<String>,
    /// `dynamodb:LeadingKeys` patterns (`BOOKING#*`); empty: any key.
    leading_keys: Vec<String>,
}

/// The DynamoDB grants of every function in `infra/template.yaml`.
#[derive(Debug, Clone)]
pub struct Policies(BTreeMap<String, Vec<Grant>>);

fn strings(v: &Value) -> Vec<String> {
    match v {
        Value::String(s) => vec![s.clone()],
        Value::Sequence(items) => items.iter().flat_map(strings).collect(),
        _ => Vec::new(),
    }
}

/// `table` for `!GetAtt Table.Arn`, the index for `!Sub "${Table.Arn}/index/gsi1"`.
fn resource_names(v: &Value) -> Vec<String> {
    match v {
        Value::Sequence(items) => items.iter().flat_map(resource_names).collect(),
        Value::Tagged(t) if t.tag == "GetAtt" && t.value.as_str() == Some("Table.Arn") => {
            vec!["table".into()]
        }
        Value::Tagged(t) if t.tag == "Sub" => t
            .value
            .as_str()
            .and_then(|s| s.strip_prefix("${Table.Arn}/index/"))
            .map(|index| vec![index.to_owned()])
            .unwrap_or_default(),
        _ => Vec::new(),
    }
}

impl Policies {
    pub fn workspace() -> Self {
        let path = termin_local::workspace_root().join("infra/template.yaml");
        let text = std::fs::read_to_string(path).unwrap_or_default();
        Self::parse(&text)
    }

    pub fn parse(template: &str) -> Self {
        let doc: Value = serde_yaml::from_str(template).unwrap_or(Value::Null);
        let resources = doc.get("Resources").cloned().unwrap_or(Value::Null);
        let mut by_function = BTreeMap::new();
        let Some(map) = resources.as_mapping() else {
            return Self(by_function);
        };
        for (name, resource) in map {
            let (Some(name), Some(props)) = (name.as_str(), resource.get("Properties")) else {
                continue;
            };
            if resource.get("Type").and_then(Value::as_str) != Some("AWS::Serverless::Function") {
                continue;
            }
            let mut grants = Vec::new();
            for policy in props
                .get("Policies")
                .and_then(Value::as_sequence)
                .into_iter()
                .flatten()
            {
                // Inline statements, or a managed policy of this template.
                let document = match policy {
                    Value::Tagged(t) if t.tag == "Ref" => t
                        .value
                        .as_str()
                        .and_then(|r| map.get(r))
                        .and_then(|r| r.get("Properties"))
                        .and_then(|p| p.get("PolicyDocument")),
                    other => Some(other),
                };
                let statements = document
                    .and_then(|d| d.get("Statement"))
                    .and_then(Value::as_sequence)
                    .into_iter()
                    .flatten();
                for statement in statements {
                    if statement.get("Effect").and_then(Value::as_str) != Some("Allow") {
                        continue;
                    }
                    let leading_keys = statement
                        .get("Condition")
                        .and_then(|c| c.get("ForAllValues:StringLike"))
                        .and_then(|c| c.get("dynamodb:LeadingKeys"))
                        .map(strings)
                        .unwrap_or_default();
                    grants.push(Grant {
                        actions: statement.get("Action").map(strings).unwrap_or_default(),
                        resources: statement
                            .get("Resource")
                            .map(resource_names)
                            .unwrap_or_default(),
                        leading_keys,
                    });
                }
            }
            by_function.insert(name.to_owned(), grants);
        }
        Self(by_function)
    }

    /// Why AWS would refuse `access`, if it would.
    pub fn refusal(&self, access: &Access) -> Option<String> {
        let Some(grants) = self.0.get(&access.function) else {
            return Some(format!(
                "{} is not a function of the template",
                access.function
            ));
        };
        let resource = access.index.clone().unwrap_or_else(|| "table".into());
        let allowed = grants.iter().any(|g| {
            g.actions.contains(&access.action)
                && g.resources.contains(&resource)
                && (g.leading_keys.is_empty()
                    || access.pk.as_deref().is_some_and(|pk| {
                        g.leading_keys.iter().any(|pattern| {
                            pattern
                                .strip_suffix('*')
                                .map_or(pattern == pk, |prefix| pk.starts_with(prefix))
                        })
                    }))
        });
        (!allowed).then(|| {
            let key = access
                .pk
                .as_deref()
                .map(|pk| pk.split('#').next().unwrap_or(pk).to_owned() + "#…")
                .unwrap_or_else(|| "no key".into());
            format!(
                "{} may not {} on {resource} ({key})",
                access.function, access.action
            )
        })
    }

    /// Every refusal among `accesses`, once each.
    pub fn violations(&self, accesses: &[Access]) -> Vec<String> {
        let mut found: Vec<String> = accesses.iter().filter_map(|a| self.refusal(a)).collect();
        found.sort();
        found.dedup();
        found
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const TEMPLATE: &str = r#"
Resources:
  Read:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: dynamodb:Query
            Resource: !Sub "${Table.Arn}/index/gsi1"
  BookFunction:
    Type: AWS::Serverless::Function
    Properties:
      Policies:
        - !Ref Read
        - Statement:
            - Effect: Allow
              Action: [dynamodb:PutItem, dynamodb:UpdateItem]
              Resource: !GetAtt Table.Arn
              Condition:
                ForAllValues:StringLike:
                  dynamodb:LeadingKeys: ["BOOKING#*", "CAPACITY#*"]
"#;

    #[test]
    fn each_item_of_a_transaction_is_checked_against_the_functions_statements() {
        let policies = Policies::parse(TEMPLATE);
        let body = json!({ "TransactItems": [
            { "Put": { "Item": { "pk": { "S": "BOOKING#1" } } } },
            { "Update": { "Key": { "pk": { "S": "CAPACITY#x" } } } },
            { "Put": { "Item": { "pk": { "S": "QUEUE#x#2026-11-24" } } } },
            { "ConditionCheck": { "Key": { "pk": { "S": "BOOKING#2" } } } },
        ]});
        let accesses = accesses_of("BookFunction", "TransactWriteItems", &body);
        assert_eq!(accesses.len(), 4);
        assert_eq!(
            policies.violations(&accesses),
            [
                "BookFunction may not dynamodb:ConditionCheckItem on table (BOOKING#…)",
                "BookFunction may not dynamodb:PutItem on table (QUEUE#…)",
            ]
        );
        let query = json!({
            "IndexName": "gsi1",
            "KeyConditionExpression": "gsi1pk = :pk",
        });
        assert!(
            policies
                .violations(&accesses_of("BookFunction", "Query", &query))
                .is_empty()
        );
        let on_table = json!({
            "KeyConditionExpression": "pk = :pk AND begins_with(sk, :s)",
            "ExpressionAttributeValues": { ":pk": { "S": "BOOKING#1" } },
        });
        let found = accesses_of("BookFunction", "Query", &on_table);
        assert_eq!(found[0].pk.as_deref(), Some("BOOKING#1"));
        assert_eq!(
            policies.violations(&found).len(),
            1,
            "no Query on the table"
        );
        assert_eq!(
            policies.violations(&accesses_of("KioskFunction", "GetItem", &json!({}))),
            ["KioskFunction is not a function of the template"]
        );
    }
}
