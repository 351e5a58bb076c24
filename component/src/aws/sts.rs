//! STS `AssumeRole` (query protocol, SigV4 service `sts`): trade the base credentials for a
//! role's temporary ones, as OpenMetadata does for `awsConfig.assumeRoleArn`.

use super::call::{CallError, Caller};
use super::error::xml_element;
use super::retry::RetryPolicy;
use super::signing::Signer;
use crate::endpoint::{Endpoint, percent_encode};
use crate::error::ConnectorError;
use crate::settings::{AssumeRole, Secret, StaticCredentials};
use crate::transport::{Request, Transport};

const OPERATION: &str = "AssumeRole";
/// One hour, STS's default and the most a role chain allows.
const DURATION_SECONDS: &str = "3600";

pub async fn assume_role<T: Transport>(
    transport: &T,
    base: StaticCredentials,
    role: &AssumeRole,
    region: &str,
    endpoint: &Endpoint,
    policy: RetryPolicy,
) -> Result<StaticCredentials, ConnectorError> {
    let caller = Caller::new(transport, Signer::new(base, region, "sts"), policy);
    let mut parameters = vec![
        ("Action", OPERATION),
        ("Version", "2011-06-15"),
        ("RoleArn", role.role_arn.as_str()),
        ("RoleSessionName", role.session_name.as_str()),
        ("DurationSeconds", DURATION_SECONDS),
    ];
    if let Some(identity) = &role.source_identity {
        parameters.push(("SourceIdentity", identity));
    }
    let body = form(&parameters);
    let response = caller
        .call(OPERATION, || request(endpoint, &body))
        .await
        .map_err(CallError::into_connector_error)?;
    let text = String::from_utf8_lossy(response.body());
    let field = |name: &str| {
        xml_element(&text, name)
            .filter(|v| !v.is_empty())
            .ok_or_else(|| {
                CallError::invalid_response(
                    OPERATION,
                    format!("the AssumeRole answer has no {name}"),
                )
                .into_connector_error()
            })
    };
    Ok(StaticCredentials {
        access_key_id: field("AccessKeyId")?,
        secret_access_key: Secret::new(field("SecretAccessKey")?),
        session_token: Some(Secret::new(field("SessionToken")?)),
    })
}

fn request(endpoint: &Endpoint, body: &str) -> Request {
    http::Request::builder()
        .method("POST")
        .uri(endpoint.uri().clone())
        .header(
            "content-type",
            "application/x-www-form-urlencoded; charset=utf-8",
        )
        .body(body.as_bytes().to_vec())
        .expect("method, endpoint URI and header values are valid by construction")
}

/// A query-protocol body: `key=value` pairs, percent-encoded, joined with `&`.
pub fn form(pairs: &[(&str, &str)]) -> String {
    pairs
        .iter()
        .map(|(k, v)| format!("{k}={}", percent_encode(v)))
        .collect::<Vec<_>>()
        .join("&")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn form_values_are_percent_encoded() {
        assert_eq!(
            form(&[("RoleArn", "arn:aws:iam::1:role/a b"), ("X", "~ok-_.")]),
            "RoleArn=arn%3Aaws%3Aiam%3A%3A1%3Arole%2Fa%20b&X=~ok-_."
        );
    }
}
