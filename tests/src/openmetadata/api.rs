//! The REST API of OpenMetadata under `/api`, as the configured version answers it: routes,
//! authentication, the checks a real server makes on each request (its version's schemas,
//! names, table rules), the answers, and the record of every call. The 2.x bulk routes are in
//! `bulk.rs` and `stale.rs`.

use super::calls::{Auth, Call, SchemaViolation};
use super::entity_type::EntityType;
use super::error::ApiError;
use super::faults::{Fault, Faults};
use super::http::{Request, Response, percent_decode};
use super::pipelines::{PipelineRoute, Pipelines};
use super::server_version::ServerVersion;
use super::store::{Include, Store, is_deleted};
use super::validation::Refusal;
use super::{fqn, ids, names, paging, rules, validation};
use serde_json::{Value, json};
use std::time::{SystemTime, UNIX_EPOCH};

/// What `/v1/system/version` gives besides the version (OpenMetadata 1.3.4's build).
const REVISION: &str = "d3c8b1f0a5e29c7e4b6f1a2d9c0e8b7a6f5d4c3b";
const BUILD_TIMESTAMP: u64 = 1_715_000_000_000;

#[derive(Debug, Clone)]
pub(crate) struct Settings {
    pub token: String,
    /// What `/v1/system/version` reports; its major.minor picks the behaviour.
    pub version: String,
    /// The largest `limit` a list accepts.
    pub max_limit: u64,
}

/// Everything behind the socket: settings, entities, fault knobs and the record.
#[derive(Debug)]
pub(crate) struct Backend {
    pub settings: Settings,
    pub store: Store,
    /// Ingestion pipelines and their runs' statuses.
    pub pipelines: Pipelines,
    base_url: String,
    pub faults: Faults,
    pub calls: Vec<Call>,
    pub violations: Vec<SchemaViolation>,
    /// The rows of each bulk PUT whose body was a list, in order: (type, rows).
    pub bulk_calls: Vec<(EntityType, usize)>,
}

#[derive(Debug, Clone, PartialEq, Eq)]
enum Route {
    Version,
    Collection(EntityType),
    ByName(EntityType, String),
    ById(EntityType, String),
    TableProfile(String),
    /// `PUT /v1/{collection}/bulk` (2.x).
    Bulk(EntityType),
    /// `DELETE /v1/{collection}/deleteStale` (2.x).
    DeleteStale(EntityType),
    /// `GET /v1/topics/name/{fqn}`, `/v1/containers/name/{fqn}`: entities of other services
    /// (seeded by the tests, as other connectors would have made them).
    OtherByName(&'static str, String),
    /// `PUT /v1/lineage`.
    Lineage,
}

impl Route {
    fn parse(path: &str) -> Option<Route> {
        let rest = path.strip_prefix("/api/v1/")?;
        if rest == "system/version" {
            return Some(Route::Version);
        }
        if rest == "lineage" {
            return Some(Route::Lineage);
        }
        for (prefix, kind) in [("topics/name/", "topic"), ("containers/name/", "container")] {
            if let Some(fqn) = rest.strip_prefix(prefix)
                && !fqn.is_empty()
                && !fqn.contains('/')
            {
                return Some(Route::OtherByName(kind, percent_decode(fqn, false)));
            }
        }
        let (kind, rest) = EntityType::from_path(rest)?;
        let segments: Vec<&str> = match rest.strip_prefix('/') {
            None => Vec::new(),
            Some(rest) => rest.split('/').collect(),
        };
        let decode = |segment: &str| percent_decode(segment, false);
        match segments.as_slice() {
            [] => Some(Route::Collection(kind)),
            ["bulk"] if kind.has_bulk_routes() => Some(Route::Bulk(kind)),
            ["deleteStale"] if kind.has_bulk_routes() => Some(Route::DeleteStale(kind)),
            ["name", fqn] if !fqn.is_empty() => Some(Route::ByName(kind, decode(fqn))),
            [id] if !id.is_empty() => Some(Route::ById(kind, decode(id))),
            [id, "tableProfile"] if kind == EntityType::Table => {
                Some(Route::TableProfile(decode(id)))
            }
            _ => None,
        }
    }

    fn methods(&self) -> &'static [&'static str] {
        match self {
            Route::Version => &["GET"],
            Route::Collection(_) => &["GET", "PUT", "POST"],
            Route::ByName(..) => &["GET", "DELETE"],
            Route::ById(..) => &["GET", "DELETE", "PATCH"],
            Route::TableProfile(_) | Route::Bulk(_) => &["PUT"],
            Route::DeleteStale(_) => &["DELETE"],
            Route::OtherByName(..) => &["GET"],
            Route::Lineage => &["PUT"],
        }
    }
}

impl Backend {
    pub fn new(settings: Settings, base_url: &str) -> Backend {
        Backend {
            settings,
            store: Store::new(base_url),
            pipelines: Pipelines::default(),
            base_url: base_url.to_string(),
            faults: Faults::default(),
            calls: Vec::new(),
            violations: Vec::new(),
            bulk_calls: Vec::new(),
        }
    }

    /// The behaviour of the version the server reports now.
    pub fn server_version(&self) -> ServerVersion {
        ServerVersion::of(&self.settings.version)
    }

    /// Answers one request and records it.
    pub fn handle(&mut self, request: Request) -> Response {
        let auth = self.authenticate(&request);
        let response = self.answer(&request, auth).unwrap_or_else(|e| e.response());
        self.calls.push(Call {
            method: request.method,
            path: request.path,
            query: request.query,
            headers: request.headers,
            auth,
            status: response.status,
            body: serde_json::from_slice(&request.body).ok(),
            body_text: String::from_utf8_lossy(&request.body).into_owned(),
            response: response.body_json(),
        });
        response
    }

    /// Creates or updates an entity as a PUT does, without a call to record.
    pub fn put(&mut self, kind: EntityType, body: &Value) -> Result<(Value, bool), ApiError> {
        let path = format!("/api/v1/{}", kind.collection());
        self.accept_create_request(kind, body, "PUT", &path)?;
        self.store.upsert(kind, body, now())
    }

    fn authenticate(&self, request: &Request) -> Auth {
        let token = request
            .header("authorization")
            .and_then(|h| h.strip_prefix("Bearer "))
            .filter(|t| !t.is_empty());
        match token {
            None => Auth::Missing,
            Some(t) if t == self.settings.token => Auth::Valid,
            Some(_) => Auth::Invalid,
        }
    }

    fn answer(&mut self, request: &Request, auth: Auth) -> Result<Response, ApiError> {
        if let Some(fault) = self.faults.take(&request.method, &request.path) {
            return Ok(fault_response(fault));
        }
        if let Some(route) = PipelineRoute::parse(&request.path) {
            self.check_request(route.methods(), request, auth, false)?;
            return self.answer_pipeline(route, request);
        }
        let route = Route::parse(&request.path).ok_or_else(ApiError::no_resource)?;
        if matches!(route, Route::Bulk(_) | Route::DeleteStale(_))
            && !self.server_version().has_bulk_api()
        {
            // A 1.x server has no such resource (its clients fall back on 404).
            return Err(ApiError::no_resource());
        }
        let method = request.method.as_str();
        // OpenMetadata's JwtFilter lets `system/version` through without a token.
        self.check_request(route.methods(), request, auth, route == Route::Version)?;
        match (route, method) {
            (Route::Version, _) => Ok(Response::json(
                200,
                &json!({
                    "version": self.settings.version,
                    "revision": REVISION,
                    "timestamp": BUILD_TIMESTAMP,
                }),
            )),
            (Route::Collection(kind), "GET") => self.list(kind, request),
            (Route::Bulk(kind), _) => self.bulk_put(kind, request),
            (Route::DeleteStale(kind), _) => self.delete_stale(kind, request),
            (Route::Collection(kind), "PUT") => {
                let body = json_body(request)?;
                self.accept_create_request(kind, &body, method, &request.path)?;
                let (entity, created) = self.store.upsert(kind, &body, now())?;
                Ok(Response::json(if created { 201 } else { 200 }, &entity))
            }
            (Route::Collection(kind), _) => {
                let body = json_body(request)?;
                self.accept_create_request(kind, &body, method, &request.path)?;
                if self.store.exists(kind, &body)? {
                    return Err(ApiError {
                        status: 409,
                        message: "Entity already exists".into(),
                    });
                }
                let (entity, _) = self.store.upsert(kind, &body, now())?;
                Ok(Response::json(201, &entity))
            }
            (Route::ByName(kind, name), "GET") => {
                let fields = self.fields(kind, request)?;
                let include = include(request)?;
                let entity = self
                    .store
                    .by_fqn(kind, &name)
                    .filter(|e| include.admits(e))
                    .ok_or_else(|| ApiError::not_found(kind, &name))?;
                Ok(Response::json(
                    200,
                    &self.store.render(kind, entity, &fields),
                ))
            }
            (Route::ById(kind, id), "GET") => {
                let fields = self.fields(kind, request)?;
                let entity = self.find_by_id(kind, &id, include(request)?)?;
                Ok(Response::json(
                    200,
                    &self.store.render(kind, entity, &fields),
                ))
            }
            (Route::ByName(kind, name), _) => {
                let fqn = self
                    .store
                    .by_fqn(kind, &name)
                    .map(|e| e["fullyQualifiedName"].clone())
                    .ok_or_else(|| ApiError::not_found(kind, &name))?;
                self.delete(kind, fqn.as_str().unwrap_or_default(), request)
            }
            (Route::ById(kind, id), "PATCH") => {
                self.find_by_id(kind, &id, Include::NonDeleted)?;
                let operations = json_body(request)?;
                let entity = self.store.patch(kind, &id, &operations, now())?;
                Ok(Response::json(200, &entity))
            }
            (Route::ById(kind, id), _) => {
                let hard = flag(request, "hardDelete");
                let include = if hard {
                    Include::All
                } else {
                    Include::NonDeleted
                };
                let fqn = self.find_by_id(kind, &id, include)?["fullyQualifiedName"].clone();
                self.delete(kind, fqn.as_str().unwrap_or_default(), request)
            }
            (Route::OtherByName(kind, fqn), _) => self
                .store
                .other(kind, &fqn)
                .map(|entity| Response::json(200, entity))
                .ok_or_else(|| ApiError::not_found_named(kind, &fqn)),
            (Route::Lineage, _) => {
                let body = json_body(request)?;
                if let Err(refusal) = validation::add_lineage(self.server_version(), &body) {
                    return Err(self.violation(refusal, method, &request.path, &body));
                }
                self.store.add_lineage(&body["edge"])?;
                // OpenMetadata's LineageResource answers 200 with no body.
                Ok(Response::empty(200))
            }
            (Route::TableProfile(id), _) => {
                if !ids::is_uuid(&id) {
                    return Err(ApiError::no_resource());
                }
                let body = json_body(request)?;
                if let Err(refusal) = validation::create_table_profile(self.server_version(), &body)
                {
                    return Err(self.violation(refusal, method, &request.path, &body));
                }
                let table = self.store.add_profile(&id, &body)?;
                Ok(Response::json(200, &table))
            }
        }
    }

    /// What every route checks first: the method, a JSON body for PUT and POST, and the token
    /// (unless the route is `open`).
    fn check_request(
        &self,
        methods: &[&str],
        request: &Request,
        auth: Auth,
        open: bool,
    ) -> Result<(), ApiError> {
        let method = request.method.as_str();
        if !methods.contains(&method) {
            return Err(ApiError {
                status: 405,
                message: "HTTP 405 Method Not Allowed".into(),
            });
        }
        let json_content = request
            .header("content-type")
            .and_then(|t| t.split(';').next())
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json"));
        let patch_content = request
            .header("content-type")
            .and_then(|t| t.split(';').next())
            .is_some_and(|t| t.trim().eq_ignore_ascii_case("application/json-patch+json"));
        if method == "PATCH" && !patch_content {
            return Err(ApiError {
                status: 415,
                message: "HTTP 415 Unsupported Media Type".into(),
            });
        }
        if matches!(method, "PUT" | "POST") && !json_content {
            return Err(ApiError {
                status: 415,
                message: "HTTP 415 Unsupported Media Type".into(),
            });
        }
        if !open {
            match auth {
                Auth::Valid => {}
                Auth::Missing => return Err(unauthorized("Token not present")),
                Auth::Invalid => return Err(unauthorized("Invalid token")),
            }
        }
        Ok(())
    }

    /// The ingestion pipeline routes; bodies against `createIngestionPipeline` and
    /// `pipelineStatus`.
    fn answer_pipeline(
        &mut self,
        route: PipelineRoute,
        request: &Request,
    ) -> Result<Response, ApiError> {
        let method = request.method.as_str();
        match route {
            PipelineRoute::Collection => {
                let body = json_body(request)?;
                let version = self.server_version();
                if let Err(refusal) = validation::create_ingestion_pipeline(version, &body) {
                    return Err(self.violation(refusal, method, &request.path, &body));
                }
                let service_id = body["service"]["id"].as_str().unwrap_or_default();
                if body["service"]["type"] != EntityType::DatabaseService.name() {
                    return Err(ApiError::bad_request(format!(
                        "service type {} is not a database service",
                        body["service"]["type"]
                    )));
                }
                let service = self
                    .find_by_id(EntityType::DatabaseService, service_id, Include::NonDeleted)?
                    .clone();
                let (pipeline, created) =
                    self.pipelines
                        .upsert(&body, &service, &self.base_url, now())?;
                Ok(Response::json(if created { 201 } else { 200 }, &pipeline))
            }
            PipelineRoute::ByName(name) => {
                let pipeline = self
                    .pipelines
                    .by_fqn(&name)
                    .ok_or_else(|| ApiError::not_found_named("ingestionPipeline", &name))?;
                Ok(Response::json(200, pipeline))
            }
            PipelineRoute::Status(name) => {
                let body = json_body(request)?;
                if let Err(refusal) = validation::pipeline_status(self.server_version(), &body) {
                    return Err(self.violation(refusal, method, &request.path, &body));
                }
                let pipeline = self.pipelines.put_status(&name, &body)?;
                Ok(Response::json(200, &pipeline))
            }
            PipelineRoute::StatusRun(name, run_id) => {
                let status = self.pipelines.status(&name, &run_id)?;
                Ok(Response::json(200, status))
            }
        }
    }

    /// The checks before a create request is stored, in the server's order: its version's
    /// schema (unknown fields first), the name rules the exported schemas lost, what
    /// OpenMetadata checks beyond them, and the table rejections a test asked for. Whether the
    /// containers exist is the store's to check.
    pub(super) fn accept_create_request(
        &mut self,
        kind: EntityType,
        body: &Value,
        method: &str,
        path: &str,
    ) -> Result<(), ApiError> {
        let version = self.server_version();
        if let Err(refusal) = validation::create_request(version, kind, body) {
            return Err(self.violation(refusal, method, path, body));
        }
        if let Err(message) = names::check(version, kind, body) {
            let refusal = Refusal {
                schema: kind.request_schema(),
                violations: message.clone(),
                answer: message,
            };
            return Err(self.violation(refusal, method, path, body));
        }
        if kind == EntityType::Table {
            rules::check_table(body)?;
            let name = body["name"].as_str().unwrap_or_default();
            if let Some(message) = self.faults.table_rejection(name) {
                return Err(ApiError::bad_request(message));
            }
        }
        Ok(())
    }

    /// Records a body that broke its schema (for [`SchemaViolation`]s) and gives the server's
    /// 400 for it.
    pub(super) fn violation(
        &mut self,
        refusal: Refusal,
        method: &str,
        path: &str,
        body: &Value,
    ) -> ApiError {
        self.violations.push(SchemaViolation {
            schema: refusal.schema.to_string(),
            method: method.to_string(),
            path: path.to_string(),
            message: refusal.violations,
            body: body.clone(),
        });
        ApiError::bad_request(refusal.answer)
    }

    fn find_by_id(&self, kind: EntityType, id: &str, include: Include) -> Result<&Value, ApiError> {
        if !ids::is_uuid(id) {
            return Err(ApiError::no_resource());
        }
        self.store
            .by_id(id)
            .filter(|(k, e)| *k == kind && include.admits(e))
            .map(|(_, e)| e)
            .ok_or_else(|| ApiError::not_found(kind, id))
    }

    fn delete(
        &mut self,
        kind: EntityType,
        fqn: &str,
        request: &Request,
    ) -> Result<Response, ApiError> {
        let hard = flag(request, "hardDelete");
        let live = self.store.by_fqn(kind, fqn).is_some_and(|e| !is_deleted(e));
        if !hard && !live {
            return Err(ApiError::not_found(kind, fqn));
        }
        let entity = self
            .store
            .delete(kind, fqn, flag(request, "recursive"), hard, now())?;
        Ok(Response::json(200, &entity))
    }

    fn list(&self, kind: EntityType, request: &Request) -> Result<Response, ApiError> {
        let fields = self.fields(kind, request)?;
        let include = include(request)?;
        let limit = match request.query("limit") {
            None => 10,
            Some(text) => text.parse::<i64>().map_err(|_| ApiError::no_resource())?,
        };
        if limit < 0 {
            return Err(ApiError::bad_request(
                "query param limit must be greater than or equal to 0",
            ));
        }
        if limit as u64 > self.settings.max_limit {
            return Err(ApiError::bad_request(format!(
                "query param limit must be less than or equal to {}",
                self.settings.max_limit
            )));
        }
        let after = request.query("after").map(paging::decode).transpose()?;
        let before = request.query("before").map(paging::decode).transpose()?;
        if after.is_some() && before.is_some() {
            return Err(ApiError::bad_request(
                "Only one of before or after query parameter allowed",
            ));
        }
        let mut ancestors = Vec::new();
        for filter in kind.list_filters() {
            if let Some(value) = request.query(filter) {
                // An FQN that cannot name anything filters everything out, as in OpenMetadata.
                ancestors.push(fqn::normalize(value).unwrap_or_else(|_| value.to_string()));
            }
        }
        let entities = self.store.list(kind, &ancestors, include);
        let fqns: Vec<&str> = entities
            .iter()
            .map(|e| e["fullyQualifiedName"].as_str().unwrap_or_default())
            .collect();
        let page = paging::page(&fqns, limit as usize, after.as_deref(), before.as_deref());
        let data: Vec<Value> = entities[page.range]
            .iter()
            .map(|e| self.store.render(kind, e, &fields))
            .collect();
        let mut paging = json!({ "total": entities.len() });
        if let Some(before) = page.before {
            paging["before"] = json!(before);
        }
        if let Some(after) = page.after {
            paging["after"] = json!(after);
        }
        Ok(Response::json(
            200,
            &json!({ "data": data, "paging": paging }),
        ))
    }
}

pub(super) fn now() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as u64)
        .unwrap_or_default()
}

fn unauthorized(reason: &str) -> ApiError {
    ApiError {
        status: 401,
        message: format!("Not Authorized! {reason}"),
    }
}

pub(super) fn json_body(request: &Request) -> Result<Value, ApiError> {
    serde_json::from_slice(&request.body)
        .map_err(|_| ApiError::bad_request("Unable to process JSON"))
}

impl Backend {
    /// `fields=a,b`, each one the type accepts on this server's version.
    fn fields(&self, kind: EntityType, request: &Request) -> Result<Vec<String>, ApiError> {
        let known = kind.fields_in(self.server_version());
        let text = request.query("fields").unwrap_or_default();
        text.split(',')
            .map(str::trim)
            .filter(|f| !f.is_empty())
            .map(|f| {
                if known.contains(&f) {
                    Ok(f.to_string())
                } else {
                    Err(ApiError::bad_request(format!("Invalid field name {f}")))
                }
            })
            .collect()
    }
}

fn include(request: &Request) -> Result<Include, ApiError> {
    match request.query("include") {
        None => Ok(Include::NonDeleted),
        Some(text) => Include::parse(text).ok_or_else(ApiError::no_resource),
    }
}

/// A boolean query parameter as Jersey reads one: `true` in any case, else false.
pub(super) fn flag(request: &Request, name: &str) -> bool {
    request
        .query(name)
        .is_some_and(|v| v.eq_ignore_ascii_case("true"))
}

fn fault_response(fault: Fault) -> Response {
    let nginx = |status: u16, title: &str| {
        Response::html(
            status,
            format!(
                "<html>\r\n<head><title>{status} {title}</title></head>\r\n<body>\r\n\
                 <center><h1>{status} {title}</h1></center>\r\n<hr><center>nginx</center>\r\n\
                 </body>\r\n</html>\r\n"
            ),
        )
    };
    match fault {
        Fault::TooManyRequests => {
            Response::error(429, "Too Many Requests").with_header("Retry-After", "0")
        }
        Fault::ServiceUnavailable => nginx(503, "Service Temporarily Unavailable"),
        Fault::GatewayTimeout => nginx(504, "Gateway Time-out"),
        Fault::Oversized => Response::html(200, " ".repeat(65 << 20)),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn routes() {
        let table_id = "5c9d1a7e-2b3f-4e6a-9c8d-7f1e2d3c4b5a";
        assert_eq!(Route::parse("/api/v1/system/version"), Some(Route::Version));
        assert_eq!(
            Route::parse("/api/v1/services/databaseServices"),
            Some(Route::Collection(EntityType::DatabaseService))
        );
        assert_eq!(
            Route::parse("/api/v1/services/databaseServices/name/a%22b.c%22"),
            Some(Route::ByName(
                EntityType::DatabaseService,
                "a\"b.c\"".into()
            ))
        );
        assert_eq!(
            Route::parse(&format!("/api/v1/tables/{table_id}/tableProfile")),
            Some(Route::TableProfile(table_id.into()))
        );
        assert_eq!(Route::parse("/api/v1/databases/x/tableProfile"), None);
        assert_eq!(
            Route::parse("/api/v1/tables/bulk"),
            Some(Route::Bulk(EntityType::Table))
        );
        assert_eq!(
            Route::parse("/api/v1/databaseSchemas/deleteStale"),
            Some(Route::DeleteStale(EntityType::DatabaseSchema))
        );
        // Services and tags have no bulk routes: `bulk` is an id (not a UUID, so a 404).
        assert_eq!(
            Route::parse("/api/v1/tags/bulk"),
            Some(Route::ById(EntityType::Tag, "bulk".into()))
        );
        assert_eq!(Route::parse("/api/v1/tablesx"), None);
        assert_eq!(Route::parse("/api/v2/tables"), None);
    }
}
