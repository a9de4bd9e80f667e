//! Reads what the local runner needs from the SAM template, so that the local
//! table and routes cannot drift from what is deployed: the table, and the
//! OpenAPI document the HttpApi is built from (its routes).

use crate::openapi::ApiDocument;
use aws_sdk_dynamodb::Client;
use aws_sdk_dynamodb::types::{
    AttributeDefinition, BillingMode, GlobalSecondaryIndex, KeySchemaElement, KeyType, Projection,
    ProjectionType, ScalarAttributeType, StreamSpecification, StreamViewType,
    TimeToLiveSpecification,
};
use serde_yaml::Value;
use std::path::{Path, PathBuf};

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
    /// Where the template's relative paths start (the API document's).
    dir: PathBuf,
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
        Self::parse(&text, path.parent().unwrap_or(Path::new(".")))
    }

    /// A template whose relative paths start at `dir`.
    pub fn parse(text: &str, dir: &Path) -> Result<Self, TemplateError> {
        Ok(Self {
            doc: serde_yaml::from_str(text)?,
            dir: dir.to_owned(),
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
                                    .set_non_key_attributes(
                                        projection
                                            .get("NonKeyAttributes")
                                            .and_then(Value::as_sequence)
                                            .map(|names| {
                                                names
                                                    .iter()
                                                    .filter_map(Value::as_str)
                                                    .map(str::to_owned)
                                                    .collect()
                                            }),
                                    )
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

    /// The resource named `name`, if the template has it.
    pub fn resource(&self, name: &str) -> Option<&Value> {
        self.resources().ok()?.get(name)
    }

    /// The names of the resources of type `kind`.
    pub fn names_of_type(&self, kind: &str) -> Result<Vec<String>, TemplateError> {
        Ok(self
            .resources()?
            .iter()
            .filter(|(_, r)| r.get("Type").and_then(Value::as_str) == Some(kind))
            .filter_map(|(name, _)| name.as_str().map(str::to_owned))
            .collect())
    }

    /// Where the HttpApi's `DefinitionBody` comes from: the local file of its
    /// `Fn::Transform: {Name: AWS::Include, Parameters: {Location: …}}`.
    pub fn api_document_path(&self) -> Result<PathBuf, TemplateError> {
        let api = self
            .resources()?
            .values()
            .find(|r| r.get("Type").and_then(Value::as_str) == Some("AWS::Serverless::HttpApi"))
            .ok_or_else(|| shape("no AWS::Serverless::HttpApi resource"))?;
        let include = api
            .get("Properties")
            .and_then(|p| p.get("DefinitionBody"))
            .and_then(|b| b.get("Fn::Transform"))
            .filter(|t| t.get("Name").and_then(Value::as_str) == Some("AWS::Include"))
            .ok_or_else(|| shape("the HttpApi's DefinitionBody is not an AWS::Include"))?;
        let location = include
            .get("Parameters")
            .and_then(|p| p.get("Location"))
            .and_then(Value::as_str)
            .ok_or_else(|| shape("the AWS::Include has no Location"))?;
        Ok(self.dir.join(location))
    }

    /// The OpenAPI document the HttpApi is built from.
    pub fn api_document(&self) -> Result<ApiDocument, TemplateError> {
        ApiDocument::load(&self.api_document_path()?)
    }

    /// Every route of the HttpApi, from its OpenAPI document.
    pub fn routes(&self) -> Result<Vec<Route>, TemplateError> {
        self.api_document()?.routes()
    }
}
