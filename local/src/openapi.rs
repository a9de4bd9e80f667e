//! Reads `infra/openapi.yaml`, the document the HttpApi is built from: its
//! routes (path, method, function, authorizer) for the local router, the
//! document as clients see it (`/api/openapi.json`), and its schemas as JSON
//! Schema, to check requests and answers against them.

use crate::template::{Route, TemplateError};
use serde_json::{Map, Value};
use std::path::Path;

/// The methods an OpenAPI path item may hold.
const METHODS: [&str; 8] = [
    "get", "put", "post", "delete", "options", "head", "patch", "trace",
];

/// What an integration URI holds around the function's logical id:
/// `…/functions/${BookFunction.Arn}/invocations`.
const FUNCTION_PREFIX: &str = "/2015-03-31/functions/${";
const FUNCTION_SUFFIX: &str = ".Arn}/invocations";

/// The OpenAPI document of the HTTP API.
#[derive(Debug, Clone)]
pub struct ApiDocument {
    doc: Value,
}

fn shape(what: impl Into<String>) -> TemplateError {
    TemplateError::Shape(what.into())
}

impl ApiDocument {
    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| TemplateError::Read(path.display().to_string(), e))?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        let doc: Value = serde_yaml::from_str(text)?;
        if doc.get("paths").and_then(Value::as_object).is_none() {
            return Err(shape("the API document has no paths"));
        }
        Ok(Self { doc })
    }

    /// The document as parsed, CloudFormation's intrinsic functions and all.
    pub fn raw(&self) -> &Value {
        &self.doc
    }

    /// Every operation: path, method, the function its integration names and
    /// the authorizer its `security` names.
    pub fn routes(&self) -> Result<Vec<Route>, TemplateError> {
        let mut routes = Vec::new();
        for (path, item) in self.paths() {
            for (method, operation) in operations(item) {
                let what = format!("{} {path}", method.to_ascii_uppercase());
                routes.push(Route {
                    function: integration_function(operation)
                        .ok_or_else(|| shape(format!("{what}: no Lambda integration")))?,
                    method: method.to_ascii_uppercase(),
                    path: path.clone(),
                    authorizer: authorizer(operation).map_err(|e| shape(format!("{what}: {e}")))?,
                });
            }
        }
        Ok(routes)
    }

    fn paths(&self) -> impl Iterator<Item = (&String, &Value)> {
        self.doc
            .get("paths")
            .and_then(Value::as_object)
            .into_iter()
            .flatten()
    }

    /// The document for clients: without API Gateway's extensions (their
    /// values are CloudFormation's, meaningless outside the template), served
    /// under `base`.
    pub fn public(&self, base: &str) -> Value {
        let mut doc = without_gateway_extensions(&self.doc);
        if let Some(map) = doc.as_object_mut() {
            map.insert("servers".into(), serde_json::json!([{ "url": base }]));
        }
        doc
    }

    /// The operation for `method` and a path as the document spells it.
    pub fn operation(&self, method: &str, path: &str) -> Option<&Value> {
        self.doc
            .get("paths")?
            .get(path)?
            .get(method.to_ascii_lowercase())
    }

    /// The JSON Schema of an operation's JSON request body, if it takes one.
    pub fn request_schema(&self, method: &str, path: &str) -> Option<Value> {
        let schema = self
            .operation(method, path)?
            .get("requestBody")?
            .get("content")?
            .get("application/json")?
            .get("schema")?;
        Some(self.json_schema(schema))
    }

    /// The JSON Schema of an operation's answer with `status` (or its
    /// `default` answer).
    pub fn response_schema(&self, method: &str, path: &str, status: u16) -> Option<Value> {
        let responses = self.operation(method, path)?.get("responses")?;
        let response = responses
            .get(status.to_string())
            .or_else(|| responses.get("default"))?;
        let response = self.follow(response)?;
        let schema = response
            .get("content")?
            .get("application/json")?
            .get("schema")?;
        Some(self.json_schema(schema))
    }

    /// Checks `value` against `schema` (from [`Self::request_schema`] or
    /// [`Self::response_schema`]), with formats (`date`, `date-time`) checked.
    pub fn check(schema: &Value, value: &Value) -> Result<(), Vec<String>> {
        let validator = jsonschema::options()
            .with_draft(jsonschema::Draft::Draft202012)
            .should_validate_formats(true)
            .build(schema)
            .map_err(|e| vec![format!("the schema itself: {e}")])?;
        let errors: Vec<String> = validator
            .iter_errors(value)
            .map(|e| format!("{} at {}", e, e.instance_path()))
            .collect();
        if errors.is_empty() {
            Ok(())
        } else {
            Err(errors)
        }
    }

    /// A `$ref` to another part of the document, followed; anything else as is.
    fn follow<'a>(&'a self, v: &'a Value) -> Option<&'a Value> {
        match v.get("$ref").and_then(Value::as_str) {
            Some(pointer) => self.doc.pointer(pointer.strip_prefix('#')?),
            None => Some(v),
        }
    }

    /// An OpenAPI 3.0 schema as a JSON Schema (2020-12) with the document's
    /// component schemas as its `$defs`.
    fn json_schema(&self, schema: &Value) -> Value {
        let defs = self
            .doc
            .pointer("/components/schemas")
            .map(to_json_schema)
            .unwrap_or_else(|| Value::Object(Map::new()));
        let mut root = match to_json_schema(schema) {
            Value::Object(map) => map,
            other => {
                let mut map = Map::new();
                map.insert("allOf".into(), Value::Array(vec![other]));
                map
            }
        };
        root.insert("$defs".into(), defs);
        Value::Object(root)
    }
}

/// The operations of a path item, by method.
fn operations(item: &Value) -> impl Iterator<Item = (&str, &Value)> {
    METHODS
        .iter()
        .filter_map(move |m| item.get(*m).map(|op| (*m, op)))
}

/// `BookFunction` from an operation's `x-amazon-apigateway-integration`:
/// a Lambda proxy (payload 2.0) whose URI is `Fn::Sub` of the function's ARN.
fn integration_function(operation: &Value) -> Option<String> {
    let integration = operation.get("x-amazon-apigateway-integration")?;
    let proxy = integration.get("type")?.as_str()? == "aws_proxy"
        && integration.get("httpMethod")?.as_str()? == "POST"
        && integration.get("payloadFormatVersion")?.as_str()? == "2.0";
    if !proxy {
        return None;
    }
    let uri = integration.get("uri")?.get("Fn::Sub")?.as_str()?;
    let rest = uri.strip_prefix("arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path")?;
    let name = rest
        .strip_prefix(FUNCTION_PREFIX)?
        .strip_suffix(FUNCTION_SUFFIX)?;
    name.chars()
        .all(|c| c.is_ascii_alphanumeric())
        .then(|| name.to_owned())
}

/// The one authorizer an operation's `security` names, without scopes; none
/// when it has no `security`.
fn authorizer(operation: &Value) -> Result<Option<String>, String> {
    let Some(security) = operation.get("security") else {
        return Ok(None);
    };
    let requirements = security.as_array().ok_or("security is not a list")?;
    match requirements.as_slice() {
        [requirement] => {
            let schemes = requirement
                .as_object()
                .ok_or("a security requirement is not a map")?;
            match schemes.iter().next() {
                Some((name, scopes))
                    if schemes.len() == 1 && scopes.as_array().is_some_and(Vec::is_empty) =>
                {
                    Ok(Some(name.clone()))
                }
                _ => Err("a security requirement names one scheme, without scopes".into()),
            }
        }
        _ => Err("security names one requirement".into()),
    }
}

fn without_gateway_extensions(v: &Value) -> Value {
    match v {
        Value::Object(map) => Value::Object(
            map.iter()
                .filter(|(k, _)| !k.starts_with("x-amazon-apigateway-"))
                .map(|(k, v)| (k.clone(), without_gateway_extensions(v)))
                .collect(),
        ),
        Value::Array(items) => Value::Array(items.iter().map(without_gateway_extensions).collect()),
        other => other.clone(),
    }
}

/// OpenAPI 3.0's schema dialect to JSON Schema's: `nullable: true` becomes
/// "this, or null" (OpenAPI's `type` never names null), and references to
/// component schemas point into `$defs`.
fn to_json_schema(v: &Value) -> Value {
    match v {
        Value::Object(map) => {
            let mut converted: Map<String, Value> = map
                .iter()
                .filter(|(k, _)| k.as_str() != "nullable")
                .map(|(k, v)| match (k.as_str(), v.as_str()) {
                    ("$ref", Some(r)) => (
                        k.clone(),
                        Value::String(r.replace("#/components/schemas/", "#/$defs/")),
                    ),
                    _ => (k.clone(), to_json_schema(v)),
                })
                .collect();
            if map.get("nullable") == Some(&Value::Bool(true)) {
                let mut either = Map::new();
                if let Some(description) = converted.remove("description") {
                    either.insert("description".into(), description);
                }
                either.insert(
                    "anyOf".into(),
                    serde_json::json!([Value::Object(converted), { "type": "null" }]),
                );
                converted = either;
            }
            Value::Object(converted)
        }
        Value::Array(items) => Value::Array(items.iter().map(to_json_schema).collect()),
        other => other.clone(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    const DOC: &str = r##"
openapi: 3.0.3
info: {title: t, version: "1"}
paths:
  /things/{id}:
    post:
      security: [{StaffJwt: []}]
      requestBody:
        content:
          application/json:
            schema: {$ref: "#/components/schemas/Thing"}
      responses:
        "200": {$ref: "#/components/responses/Thing"}
      x-amazon-apigateway-integration:
        type: aws_proxy
        httpMethod: POST
        payloadFormatVersion: "2.0"
        uri:
          Fn::Sub: arn:${AWS::Partition}:apigateway:${AWS::Region}:lambda:path/2015-03-31/functions/${ThingFunction.Arn}/invocations
components:
  responses:
    Thing:
      description: a thing
      content:
        application/json:
          schema: {$ref: "#/components/schemas/Thing"}
  schemas:
    Thing:
      type: object
      additionalProperties: false
      required: [name, when]
      properties:
        name: {type: string}
        when: {type: string, format: date, nullable: true}
"##;

    #[test]
    fn a_route_takes_its_function_from_the_integration_and_its_authorizer_from_security() {
        let doc = ApiDocument::parse(DOC).unwrap();
        assert_eq!(
            doc.routes().unwrap(),
            [Route {
                function: "ThingFunction".into(),
                method: "POST".into(),
                path: "/things/{id}".into(),
                authorizer: Some("StaffJwt".into()),
            }]
        );
    }

    #[test]
    fn an_operation_without_a_lambda_proxy_integration_is_refused() {
        let http_proxy = DOC.replace("type: aws_proxy", "type: http_proxy");
        assert!(ApiDocument::parse(&http_proxy).unwrap().routes().is_err());
        let v1 = DOC.replace(
            "payloadFormatVersion: \"2.0\"",
            "payloadFormatVersion: \"1.0\"",
        );
        assert!(ApiDocument::parse(&v1).unwrap().routes().is_err());
        let scoped = DOC.replace("StaffJwt: []", "StaffJwt: [admin]");
        assert!(ApiDocument::parse(&scoped).unwrap().routes().is_err());
    }

    #[test]
    fn nullable_means_this_or_null_and_formats_are_checked() {
        let doc = ApiDocument::parse(DOC).unwrap();
        let schema = doc.request_schema("POST", "/things/{id}").unwrap();
        assert_eq!(
            doc.response_schema("POST", "/things/{id}", 200).unwrap(),
            schema
        );
        for good in [
            json!({"name": "a", "when": "2026-11-24"}),
            json!({"name": "a", "when": null}),
        ] {
            assert_eq!(ApiDocument::check(&schema, &good), Ok(()), "{good}");
        }
        for bad in [
            json!({"name": "a"}),
            json!({"name": "a", "when": "24.11.2026"}),
            json!({"name": 1, "when": null}),
            json!({"name": "a", "when": null, "extra": true}),
        ] {
            assert!(ApiDocument::check(&schema, &bad).is_err(), "{bad}");
        }
    }

    #[test]
    fn the_public_document_has_no_gateway_extensions_and_names_its_server() {
        let public = ApiDocument::parse(DOC).unwrap().public("/api");
        assert!(!public.to_string().contains("x-amazon-apigateway"));
        assert!(!public.to_string().contains("Fn::Sub"));
        assert_eq!(public["servers"][0]["url"], "/api");
        assert!(public["paths"]["/things/{id}"]["post"]["requestBody"].is_object());
    }
}
