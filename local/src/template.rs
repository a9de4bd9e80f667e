//! Reads what the local runner needs from the SAM template, so that the local
//! table and routes cannot drift from what is deployed.

use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};
use serde_yaml::Value;
use std::path::Path;

#[derive(Debug, thiserror::Error)]
pub enum TemplateError {
    #[error("cannot read {0}")]
    Read(String, #[source] std::io::Error),
    #[error("template is not valid YAML")]
    Yaml(#[from] serde_yaml::Error),
    #[error("template: {0}")]
    Shape(String),
    #[error("DynamoDB {0} failed")]
    Sdk(
        &'static str,
        #[source] Box<dyn std::error::Error + Send + Sync>,
    ),
}

fn shape(what: impl Into<String>) -> TemplateError {
    TemplateError::Shape(what.into())
}

/// One HTTP route of one function.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Route {
    pub function: String,
    pub method: String,
    pub path: String,
    /// The HttpApi authorizer in front of the route (`StaffJwt`), if any.
    pub authorizer: Option<String>,
}

/// The parts of `infra/template.yaml` the local runner uses.
#[derive(Debug, Clone)]
pub struct Template {
    doc: Value,
}

fn str_at<'a>(v: &'a Value, key: &str) -> Result<&'a str, TemplateError> {
    v.get(key)
        .and_then(Value::as_str)
        .ok_or_else(|| shape(format!("missing string {key}")))
}

fn key_schema(v: &Value) -> Result<Vec<KeySchemaElement>, TemplateError> {
    v.get("KeySchema")
        .and_then(Value::as_sequence)
        .ok_or_else(|| shape("missing KeySchema"))?
        .iter()
        .map(|k| {
            KeySchemaElement::builder()
                .attribute_name(str_at(k, "AttributeName")?)
                .key_type(KeyType::from(str_at(k, "KeyType")?))
                .build()
                .map_err(|e| shape(e.to_string()))
        })
        .collect()
}

impl Template {
    pub fn load(path: &Path) -> Result<Self, TemplateError> {
        let text = std::fs::read_to_string(path)
            .map_err(|e| TemplateError::Read(path.display().to_string(), e))?;
        Self::parse(&text)
    }

    pub fn parse(text: &str) -> Result<Self, TemplateError> {
        Ok(Self {
            doc: serde_yaml::from_str(text)?,
        })
    }

    /// The template of this workspace.
    pub fn workspace() -> Result<Self, TemplateError> {
        Self::load(&crate::workspace_root().join("infra/template.yaml"))
    }

    fn resources(&self) -> Result<&serde_yaml::Mapping, TemplateError> {
        self.doc
            .get("Resources")
            .and_then(Value::as_mapping)
            .ok_or_else(|| shape("missing Resources"))
    }

    fn table_properties(&self) -> Result<&Value, TemplateError> {
        self.resources()?
            .values()
            .find(|r| r.get("Type").and_then(Value::as_str) == Some("AWS::DynamoDB::Table"))
            .and_then(|r| r.get("Properties"))
            .ok_or_else(|| shape("no AWS::DynamoDB::Table resource"))
    }

    /// Creates `table_name` with the keys, indexes, stream and TTL of the template's table.
    pub async fn create_table(
        &self,
        client: &Client,
        table_name: &str,
    ) -> Result<(), TemplateError> {
        let props = self.table_properties()?;
        let attributes = props
            .get("AttributeDefinitions")
            .and_then(Value::as_sequence)
            .ok_or_else(|| shape("missing AttributeDefinitions"))?
            .iter()
            .map(|a| {
                AttributeDefinition::builder()
                    .attribute_name(str_at(a, "AttributeName")?)
                    .attribute_type(ScalarAttributeType::from(str_at(a, "AttributeType")?))
                    .build()
                    .map_err(|e| shape(e.to_string()))
            })
            .collect::<Result<Vec<_>, _>>()?;
        let indexes = props
            .get("GlobalSecondaryIndexes")
            .and_then(Value::as_sequence)
            .map(|seq| {
                seq.iter()
                    .map(|g| {
                        let projection = g
                            .get("Projection")
                            .ok_or_else(|| shape("missing Projection"))?;
                        GlobalSecondaryIndex::builder()
                            .index_name(str_at(g, "IndexName")?)
                            .set_key_schema(Some(key_schema(g)?))
                            .projection(
                                Projection::builder()
                                    .projection_type(ProjectionType::from(str_at(
                                        projection,
                                        "ProjectionType",
                                    )?))
                                    .build(),
                            )
                            .build()
                            .map_err(|e| shape(e.to_string()))
                    })
                    .collect::<Result<Vec<_>, _>>()
            })
            .transpose()?;
        let stream = props
            .get("StreamSpecification")
            .map(|s| {
                StreamSpecification::builder()
                    .stream_enabled(true)
                    .stream_view_type(StreamViewType::from(str_at(s, "StreamViewType")?))
                    .build()
                    .map_err(|e| shape(e.to_string()))
            })
            .transpose()?;
        client
            .create_table()
            .table_name(table_name)
            .billing_mode(BillingMode::from(
                props
                    .get("BillingMode")
                    .and_then(Value::as_str)
                    .unwrap_or("PAY_PER_REQUEST"),
            ))
            .set_attribute_definitions(Some(attributes))
            .set_key_schema(Some(key_schema(props)?))
            .set_global_secondary_indexes(indexes)
            .set_stream_specification(stream)
            .send()
            .await
            .map_err(|e| TemplateError::Sdk("CreateTable", Box::new(e)))?;
        if let Some(ttl) = props.get("TimeToLiveSpecification") {
            client
                .update_time_to_live()
                .table_name(table_name)
                .time_to_live_specification(
                    TimeToLiveSpecification::builder()
                        .attribute_name(str_at(ttl, "AttributeName")?)
                        .enabled(ttl.get("Enabled").and_then(Value::as_bool).unwrap_or(false))
                        .build()
                        .map_err(|e| shape(e.to_string()))?,
                )
                .send()
                .await
                .map_err(|e| TemplateError::Sdk("UpdateTimeToLive", Box::new(e)))?;
        }
        Ok(())
    }

    /// Every `HttpApi` event of every function.
    pub fn routes(&self) -> Result<Vec<Route>, TemplateError> {
        let mut routes = Vec::new();
        for (name, resource) in self.resources()? {
            if resource.get("Type").and_then(Value::as_str) != Some("AWS::Serverless::Function") {
                continue;
            }
            let function = name.as_str().ok_or_else(|| shape("resource name"))?;
            let events = resource
                .get("Properties")
                .and_then(|p| p.get("Events"))
                .and_then(Value::as_mapping);
            for event in events.into_iter().flat_map(|m| m.values()) {
                if event.get("Type").and_then(Value::as_str) != Some("HttpApi") {
                    continue;
                }
                let props = event
                    .get("Properties")
                    .ok_or_else(|| shape("HttpApi event without Properties"))?;
                routes.push(Route {
                    function: function.to_owned(),
                    method: str_at(props, "Method")?.to_ascii_uppercase(),
                    path: str_at(props, "Path")?.to_owned(),
                    authorizer: props
                        .get("Auth")
                        .and_then(|a| a.get("Authorizer"))
                        .and_then(Value::as_str)
                        .map(str::to_owned),
                });
            }
        }
        Ok(routes)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn staff_routes_and_only_they_sit_behind_the_staff_authorizer() {
        let routes = Template::workspace().unwrap().routes().unwrap();
        for route in &routes {
            let staff = route.path.starts_with("/staff/");
            assert_eq!(
                route.authorizer.as_deref(),
                staff.then_some("StaffJwt"),
                "{} {}",
                route.method,
                route.path
            );
        }
        assert!(routes.iter().any(|r| r.path == "/staff/blocks/lift"));
    }

    #[test]
    fn the_template_names_the_routes_of_every_function() {
        let routes = Template::workspace().unwrap().routes().unwrap();
        let has = |m: &str, p: &str, f: &str| {
            routes
                .iter()
                .any(|r| r.method == m && r.path == p && r.function == f)
        };
        assert!(has(
            "GET",
            "/offices/{office_id}/services/{service_id}/slots",
            "ListSlotsFunction"
        ));
        assert!(has("POST", "/bookings", "BookFunction"));
        assert!(has(
            "POST",
            "/bookings/{booking_id}/confirm",
            "ConfirmFunction"
        ));
        assert!(has("POST", "/bookings/cancel", "CancelFunction"));
    }
}
