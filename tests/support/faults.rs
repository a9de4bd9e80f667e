//! Fault injection: an SDK interceptor that sends chosen calls to a failing
//! endpoint instead of DynamoDB Local or moto. The failing endpoint answers
//! what the interceptor asks for (DynamoDB throttling, a cancelled
//! transaction, an SES or SNS error) or nothing at all (a timeout). The call
//! never reaches the real service, so a fault leaves nothing written there —
//! except [`Fault::LostAnswer`], which lets the call through and loses its
//! answer (the service did the work; the client sees a 500 and retries).

use aws_smithy_runtime_api::box_error::BoxError;
use aws_smithy_runtime_api::client::interceptors::Intercept;
use aws_smithy_runtime_api::client::interceptors::context::{
    BeforeDeserializationInterceptorContextMut, BeforeTransmitInterceptorContextMut,
};
use aws_smithy_runtime_api::client::orchestrator::Metadata;
use aws_smithy_runtime_api::client::runtime_components::RuntimeComponents;
use aws_smithy_types::config_bag::{ConfigBag, Storable, StoreReplace};
use serde_json::{Value, json};
use std::sync::{Arc, Mutex, OnceLock};

/// The header that tells the failing endpoint what to answer.
const FAULT_HEADER: &str = "x-termin-fault";

/// Armed for every call of its operation until [`Faults::clear`].
pub const ALWAYS: usize = usize::MAX;

/// What a faulty call gets instead of the service's answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Fault {
    /// DynamoDB refuses the request as a whole: `ThrottlingException`.
    Throttling,
    /// DynamoDB refuses the request as a whole: `ProvisionedThroughputExceededException`.
    ProvisionedThroughputExceeded,
    /// DynamoDB cancels a transaction with this reason on its first item
    /// (`TransactionConflict`, `ThrottlingError`) and `None` on the others.
    Cancelled(&'static str),
    /// SES v2 answers this status and error type.
    Ses(u16, &'static str),
    /// SNS answers this status and error code.
    Sns(u16, &'static str),
    /// No answer at all: the client's timeout ends the call.
    Hang,
    /// DynamoDB does the work, and its answer is replaced by a 500
    /// `InternalServerError` on the way back (so the SDK retries it).
    LostAnswer,
}

/// Marks an attempt whose answer [`Fault::LostAnswer`] replaces.
#[derive(Debug, Clone)]
struct LoseAnswer;

impl Storable for LoseAnswer {
    type Storer = StoreReplace<Self>;
}

impl Fault {
    /// The answer the failing endpoint gives, as the header's JSON.
    fn answer(self, request_body: Option<&[u8]>) -> Value {
        const DYNAMODB: &str = "com.amazonaws.dynamodb.v20120810#";
        let dynamodb = |body: Value| json!({"status": 400, "content_type": "application/x-amz-json-1.0", "body": body.to_string()});
        match self {
            Fault::Throttling => dynamodb(json!({
                "__type": format!("{DYNAMODB}ThrottlingException"),
                "message": "Rate of requests exceeds the allowed throughput.",
            })),
            Fault::ProvisionedThroughputExceeded => dynamodb(json!({
                "__type": format!("{DYNAMODB}ProvisionedThroughputExceededException"),
                "message": "The level of configured provisioned throughput for the table was exceeded.",
            })),
            Fault::Cancelled(reason) => {
                let items = request_body
                    .and_then(|b| serde_json::from_slice::<Value>(b).ok())
                    .and_then(|b| b["TransactItems"].as_array().map(Vec::len))
                    .unwrap_or(1);
                let reasons: Vec<Value> = (0..items)
                    .map(|i| {
                        if i == 0 {
                            json!({"Code": reason, "Message": "injected"})
                        } else {
                            json!({"Code": "None"})
                        }
                    })
                    .collect();
                dynamodb(json!({
                    "__type": format!("{DYNAMODB}TransactionCanceledException"),
                    "Message": format!("Transaction cancelled, please refer cancellation reasons for specific reasons [{reason}]"),
                    "CancellationReasons": reasons,
                }))
            }
            Fault::Ses(status, code) => json!({
                "status": status,
                "content_type": "application/json",
                "error_type": code,
                "body": json!({"message": "injected"}).to_string(),
            }),
            Fault::Sns(status, code) => json!({
                "status": status,
                "content_type": "text/xml",
                "body": format!(
                    "<ErrorResponse xmlns=\"http://sns.amazonaws.com/doc/2010-03-31/\"><Error>\
                     <Type>Sender</Type><Code>{code}</Code><Message>injected</Message></Error>\
                     <RequestId>fault</RequestId></ErrorResponse>"
                ),
            }),
            Fault::Hang => json!("hang"),
            Fault::LostAnswer => Value::Null,
        }
    }
}

#[derive(Debug)]
struct Armed {
    operation: &'static str,
    fault: Fault,
    times: usize,
}

#[derive(Debug, Default)]
struct State {
    armed: Vec<Armed>,
    injected: usize,
}

/// The faults armed for the clients this interceptor is on, shared by clones.
#[derive(Debug, Clone, Default)]
pub struct Faults(Arc<Mutex<State>>);

impl Faults {
    /// The next `times` calls of `operation` (e.g. "TransactWriteItems",
    /// "SendEmail", "Publish") get `fault`; [`ALWAYS`] until cleared.
    pub fn arm(&self, operation: &'static str, fault: Fault, times: usize) {
        self.state().armed.push(Armed {
            operation,
            fault,
            times,
        });
    }

    /// No more faults: every call reaches its service again.
    pub fn clear(&self) {
        self.state().armed.clear();
    }

    /// How many calls got a fault so far.
    pub fn injected(&self) -> usize {
        self.state().injected
    }

    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn take(&self, operation: &str) -> Option<Fault> {
        let mut state = self.state();
        let armed = state
            .armed
            .iter_mut()
            .find(|a| a.operation == operation && a.times > 0)?;
        armed.times = armed.times.saturating_sub(1);
        let fault = armed.fault;
        state.injected += 1;
        Some(fault)
    }
}

impl Intercept for Faults {
    fn name(&self) -> &'static str {
        "Faults"
    }

    fn modify_before_transmit(
        &self,
        context: &mut BeforeTransmitInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        let operation = cfg.load::<Metadata>().map_or("", |m| m.name()).to_owned();
        cfg.interceptor_state().unset::<LoseAnswer>();
        let Some(fault) = self.take(&operation) else {
            return Ok(());
        };
        if fault == Fault::LostAnswer {
            cfg.interceptor_state().store_put(LoseAnswer);
            return Ok(());
        }
        let request = context.request_mut();
        let answer = fault.answer(request.body().bytes()).to_string();
        request.headers_mut().insert(FAULT_HEADER, answer);
        request.set_uri(format!("{}/", failing_endpoint()))?;
        Ok(())
    }

    fn modify_before_deserialization(
        &self,
        context: &mut BeforeDeserializationInterceptorContextMut<'_>,
        _components: &RuntimeComponents,
        cfg: &mut ConfigBag,
    ) -> Result<(), BoxError> {
        if cfg.load::<LoseAnswer>().is_none() {
            return Ok(());
        }
        let response = context.response_mut();
        *response.status_mut() = 500.try_into()?;
        let body = json!({
            "__type": "com.amazonaws.dynamodb.v20120810#InternalServerError",
            "message": "injected: the answer was lost",
        });
        *response.body_mut() = aws_smithy_types::body::SdkBody::from(body.to_string());
        Ok(())
    }
}

/// The failing endpoint of this test binary, on its own thread and runtime
/// (each test has its own runtime, which ends with the test).
pub fn failing_endpoint() -> &'static str {
    static ENDPOINT: OnceLock<String> = OnceLock::new();
    ENDPOINT.get_or_init(|| {
        let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("a free port");
        listener
            .set_nonblocking(true)
            .expect("non-blocking listener");
        let endpoint = format!("http://{}", listener.local_addr().expect("bound address"));
        std::thread::spawn(move || {
            let runtime = tokio::runtime::Builder::new_current_thread()
                .enable_all()
                .build()
                .expect("a runtime for the failing endpoint");
            runtime.block_on(async move {
                let listener =
                    tokio::net::TcpListener::from_std(listener).expect("a tokio listener");
                let app = axum::Router::new().fallback(answer);
                axum::serve(listener, app)
                    .await
                    .expect("failing endpoint serves");
            });
        });
        endpoint
    })
}

/// Answers what the request's fault header asks for.
async fn answer(headers: axum::http::HeaderMap) -> axum::response::Response {
    use axum::http::{HeaderValue, StatusCode};
    use axum::response::IntoResponse;
    let asked: Value = headers
        .get(FAULT_HEADER)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| serde_json::from_str(v).ok())
        .unwrap_or(Value::Null);
    if asked == "hang" {
        std::future::pending::<()>().await;
    }
    let status = asked["status"]
        .as_u64()
        .and_then(|s| StatusCode::from_u16(u16::try_from(s).ok()?).ok())
        .unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    let body = asked["body"].as_str().unwrap_or_default().to_owned();
    let mut response = (status, body).into_response();
    let header = |v: &Value| v.as_str().and_then(|s| HeaderValue::from_str(s).ok());
    if let Some(content_type) = header(&asked["content_type"]) {
        response.headers_mut().insert("content-type", content_type);
    }
    if let Some(error_type) = header(&asked["error_type"]) {
        response
            .headers_mut()
            .insert("x-amzn-errortype", error_type);
    }
    response
}
