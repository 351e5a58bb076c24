//! The benchmark's tables: deterministic names and a mix of shapes like a real account's (a
//! hash key alone, hash and range keys, global and local secondary indexes), created on a
//! local server by several clients at once.

use e2e::admin::Admin;
use serde_json::json;

/// `bench_00000`, `bench_00001`, ...: ListTables returns them in this order.
pub fn names(prefix: &str, count: usize) -> Vec<String> {
    (0..count).map(|i| format!("{prefix}_{i:05}")).collect()
}

/// Creates every table in `names` on `endpoint` as `access_key_id`, with `clients` at once.
pub fn create(endpoint: &str, access_key_id: &str, names: &[String], clients: usize) {
    let clients = clients.max(1);
    std::thread::scope(|scope| {
        for client in 0..clients {
            scope.spawn(move || {
                let admin = Admin::new(endpoint, access_key_id);
                for (i, name) in names.iter().enumerate().skip(client).step_by(clients) {
                    create_one(&admin, i, name);
                }
            });
        }
    });
}

fn create_one(admin: &Admin, index: usize, name: &str) {
    let provisioned = json!({ "ReadCapacityUnits": 5, "WriteCapacityUnits": 5 });
    match index % 4 {
        0 => admin.create_table(name, &[("id", "S", "HASH")]),
        1 => admin.create_table(name, &[("pk", "S", "HASH"), ("sk", "N", "RANGE")]),
        2 => admin.create_table_with(
            name,
            &[("pk", "S", "HASH"), ("sk", "S", "RANGE")],
            &[("gsi_pk", "S")],
            json!({
                "GlobalSecondaryIndexes": [{
                    "IndexName": "by_gsi_pk",
                    "KeySchema": [{"AttributeName": "gsi_pk", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "ALL"},
                }],
            }),
        ),
        _ => admin.create_table_with(
            name,
            &[("tenant", "S", "HASH"), ("created", "N", "RANGE")],
            &[("status", "S"), ("owner", "S")],
            json!({
                "ProvisionedThroughput": provisioned,
                "LocalSecondaryIndexes": [{
                    "IndexName": "by_status",
                    "KeySchema": [
                        {"AttributeName": "tenant", "KeyType": "HASH"},
                        {"AttributeName": "status", "KeyType": "RANGE"},
                    ],
                    "Projection": {"ProjectionType": "KEYS_ONLY"},
                }],
                "GlobalSecondaryIndexes": [{
                    "IndexName": "by_owner",
                    "KeySchema": [{"AttributeName": "owner", "KeyType": "HASH"}],
                    "Projection": {"ProjectionType": "INCLUDE", "NonKeyAttributes": ["status"]},
                    "ProvisionedThroughput": provisioned,
                }],
            }),
        ),
    }
}
