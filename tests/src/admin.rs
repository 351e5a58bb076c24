//! A small blocking DynamoDB client to seed test servers: signed with the component's own
//! signer (compiled natively), sent with `ureq`.

use dynamodb_connector::aws::signing::Signer;
use dynamodb_connector::aws::sts::form;
use dynamodb_connector::settings::{Secret, StaticCredentials};
use serde_json::{Value, json};
use std::time::SystemTime;

pub const SECRET: &str = "e2e-secret-access-key";

pub struct Admin {
    endpoint: String,
    signer: Signer,
    agent: ureq::Agent,
}

#[derive(Debug)]
pub struct AdminError {
    pub status: u16,
    pub body: String,
}

impl Admin {
    /// A client for `endpoint` as `access_key_id` (DynamoDB Local keeps one namespace per key).
    pub fn new(endpoint: &str, access_key_id: &str) -> Admin {
        Admin::with_secret(endpoint, access_key_id, SECRET)
    }

    pub fn with_secret(endpoint: &str, access_key_id: &str, secret: &str) -> Admin {
        let signer = Signer::new(
            StaticCredentials {
                access_key_id: access_key_id.to_string(),
                secret_access_key: Secret::new(secret),
                session_token: None,
            },
            "us-east-1",
            "dynamodb",
        );
        let agent = ureq::Agent::config_builder()
            .http_status_as_error(false)
            .build()
            .new_agent();
        Admin {
            endpoint: format!("{}/", endpoint.trim_end_matches('/')),
            signer,
            agent,
        }
    }

    pub fn call(&self, operation: &str, body: &Value) -> Result<Value, AdminError> {
        let request = http::Request::builder()
            .method("POST")
            .uri(&self.endpoint)
            .header("content-type", "application/x-amz-json-1.0")
            .header("x-amz-target", format!("DynamoDB_20120810.{operation}"))
            .body(body.to_string().into_bytes())
            .expect("valid request");
        let text = self.send(&self.signer, request)?;
        Ok(serde_json::from_str(&text).unwrap_or(Value::Null))
    }

    /// An AWS query-protocol call (IAM, STS) to the same endpoint, e.g. moto's IAM API.
    pub fn query(
        &self,
        service: &'static str,
        params: &[(&str, &str)],
    ) -> Result<String, AdminError> {
        let request = http::Request::builder()
            .method("POST")
            .uri(&self.endpoint)
            .header("content-type", "application/x-www-form-urlencoded")
            .body(form(params).into_bytes())
            .expect("valid request");
        let signer = Signer::new(self.signer.credentials().clone(), "us-east-1", service);
        self.send(&signer, request)
    }

    /// Creates an S3 bucket on the same endpoint (moto serves S3 by path): where a table's
    /// export can go.
    pub fn create_bucket(&self, bucket: &str) -> Result<String, AdminError> {
        let request = http::Request::builder()
            .method("PUT")
            .uri(format!("{}{bucket}", self.endpoint))
            .body(Vec::new())
            .expect("valid request");
        let signer = Signer::new(self.signer.credentials().clone(), "us-east-1", "s3");
        self.send(&signer, request)
    }

    /// Signs and sends; the body of a 200 answer, or the status and body of another.
    fn send(
        &self,
        signer: &Signer,
        mut request: http::Request<Vec<u8>>,
    ) -> Result<String, AdminError> {
        signer
            .sign(&mut request, SystemTime::now())
            .expect("signing works");
        let mut response = self.agent.run(request).map_err(|e| AdminError {
            status: 0,
            body: e.to_string(),
        })?;
        let status = response.status().as_u16();
        let text = response.body_mut().read_to_string().unwrap_or_default();
        if status != 200 {
            return Err(AdminError { status, body: text });
        }
        Ok(text)
    }

    pub fn list_tables(&self) -> Result<Vec<String>, AdminError> {
        let mut names = Vec::new();
        let mut start: Option<String> = None;
        loop {
            let mut body = json!({ "Limit": 100 });
            if let Some(s) = &start {
                body["ExclusiveStartTableName"] = json!(s);
            }
            let page = self.call("ListTables", &body)?;
            for name in page["TableNames"].as_array().into_iter().flatten() {
                names.push(name.as_str().unwrap_or_default().to_string());
            }
            match page["LastEvaluatedTableName"].as_str() {
                Some(last) => start = Some(last.to_string()),
                None => return Ok(names),
            }
        }
    }

    /// Creates a table; `keys` are `(name, S|N|B, HASH|RANGE)`.
    pub fn create_table(&self, name: &str, keys: &[(&str, &str, &str)]) {
        self.create_table_with(name, keys, &[], json!({}));
    }

    /// Creates a table with extra attribute definitions and extra request fields (indexes,
    /// billing, streams...). On-demand billing unless `extra` says otherwise.
    pub fn create_table_with(
        &self,
        name: &str,
        keys: &[(&str, &str, &str)],
        extra_attributes: &[(&str, &str)],
        extra: Value,
    ) {
        let mut attributes: Vec<Value> = keys
            .iter()
            .map(|(n, t, _)| json!({"AttributeName": n, "AttributeType": t}))
            .collect();
        attributes.extend(
            extra_attributes
                .iter()
                .map(|(n, t)| json!({"AttributeName": n, "AttributeType": t})),
        );
        let mut body = json!({
            "TableName": name,
            "KeySchema": keys.iter().map(|(n, _, k)| json!({"AttributeName": n, "KeyType": k})).collect::<Vec<_>>(),
            "AttributeDefinitions": attributes,
        });
        if extra.get("ProvisionedThroughput").is_none() {
            body["BillingMode"] = json!("PAY_PER_REQUEST");
        }
        if let (Some(target), Some(extra)) = (body.as_object_mut(), extra.as_object()) {
            for (k, v) in extra {
                target.insert(k.clone(), v.clone());
            }
        }
        self.call("CreateTable", &body)
            .unwrap_or_else(|e| panic!("CreateTable {name}: {} {}", e.status, e.body));
    }

    pub fn delete_table(&self, name: &str) {
        self.call("DeleteTable", &json!({ "TableName": name }))
            .unwrap_or_else(|e| panic!("DeleteTable {name}: {} {}", e.status, e.body));
    }

    pub fn put_item(&self, table: &str, item: Value) {
        self.call("PutItem", &json!({ "TableName": table, "Item": item }))
            .unwrap_or_else(|e| panic!("PutItem {table}: {} {}", e.status, e.body));
    }

    pub fn tag(&self, arn: &str, tags: &[(&str, &str)]) {
        let tags: Vec<Value> = tags
            .iter()
            .map(|(k, v)| json!({"Key": k, "Value": v}))
            .collect();
        self.call("TagResource", &json!({ "ResourceArn": arn, "Tags": tags }))
            .unwrap_or_else(|e| panic!("TagResource {arn}: {} {}", e.status, e.body));
    }

    pub fn describe(&self, table: &str) -> Value {
        self.call("DescribeTable", &json!({ "TableName": table }))
            .unwrap_or_else(|e| panic!("DescribeTable {table}: {} {}", e.status, e.body))["Table"]
            .clone()
    }
}
