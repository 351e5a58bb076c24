//! Raw network access around `wasi:http`: TCP and UDP sockets and name resolution, through
//! `wasi:sockets` and through std. The run has no network: all of it must be refused, even a
//! TCP connection to the port its HTTP allowlist allows.

use crate::observations::Observations;
use crate::settings::Settings;
use std::net::ToSocketAddrs;
use wasip2::sockets::instance_network::instance_network;
use wasip2::sockets::ip_name_lookup::resolve_addresses;
use wasip2::sockets::network::{
    ErrorCode, IpAddressFamily, IpSocketAddress, Ipv4SocketAddress, Network,
};
use wasip2::sockets::tcp_create_socket::create_tcp_socket;
use wasip2::sockets::udp_create_socket::create_udp_socket;

const LOOPBACK: (u8, u8, u8, u8) = (127, 0, 0, 1);
const METADATA: (u8, u8, u8, u8) = (169, 254, 169, 254);

pub fn probe(settings: &Settings, seen: &mut Observations) {
    let port = settings.allowed.as_ref().map_or(80, |t| t.port);
    let network = instance_network();
    seen.record(
        "tcp to the allowed port",
        tcp_connect(&network, LOOPBACK, port),
    );
    seen.record(
        "tcp to the metadata service",
        tcp_connect(&network, METADATA, 80),
    );
    seen.record("udp bind", udp_bind(&network));
    seen.record("name lookup", resolve(&network, "localhost"));
    seen.record(
        "std tcp to the allowed port",
        match std::net::TcpStream::connect(("127.0.0.1", port)) {
            Ok(_) => "connected".to_string(),
            Err(e) => format!("error: {e}"),
        },
    );
    seen.record(
        "std name lookup",
        match ("localhost", 80).to_socket_addrs() {
            Ok(addresses) => format!("{} addresses", addresses.count()),
            Err(e) => format!("error: {e}"),
        },
    );
    seen.record(
        "std udp bind",
        match std::net::UdpSocket::bind("0.0.0.0:0") {
            Ok(_) => "bound".to_string(),
            Err(e) => format!("error: {e}"),
        },
    );
}

fn tcp_connect(network: &Network, address: (u8, u8, u8, u8), port: u16) -> String {
    let socket = match create_tcp_socket(IpAddressFamily::Ipv4) {
        Ok(socket) => socket,
        Err(code) => return format!("create: {}", code.name()),
    };
    let remote = IpSocketAddress::Ipv4(Ipv4SocketAddress { port, address });
    if let Err(code) = socket.start_connect(network, remote) {
        return format!("connect: {}", code.name());
    }
    loop {
        match socket.finish_connect() {
            Ok(_streams) => return "connected".to_string(),
            Err(ErrorCode::WouldBlock) => socket.subscribe().block(),
            Err(code) => return format!("connect: {}", code.name()),
        }
    }
}

fn udp_bind(network: &Network) -> String {
    let socket = match create_udp_socket(IpAddressFamily::Ipv4) {
        Ok(socket) => socket,
        Err(code) => return format!("create: {}", code.name()),
    };
    let local = IpSocketAddress::Ipv4(Ipv4SocketAddress {
        port: 0,
        address: (0, 0, 0, 0),
    });
    if let Err(code) = socket.start_bind(network, local) {
        return format!("bind: {}", code.name());
    }
    loop {
        match socket.finish_bind() {
            Ok(()) => return "bound".to_string(),
            Err(ErrorCode::WouldBlock) => socket.subscribe().block(),
            Err(code) => return format!("bind: {}", code.name()),
        }
    }
}

fn resolve(network: &Network, name: &str) -> String {
    let addresses = match resolve_addresses(network, name) {
        Ok(stream) => stream,
        Err(code) => return format!("resolve: {}", code.name()),
    };
    let mut found = 0;
    loop {
        match addresses.resolve_next_address() {
            Ok(Some(_)) => found += 1,
            Ok(None) => return format!("{found} addresses"),
            Err(ErrorCode::WouldBlock) => addresses.subscribe().block(),
            Err(code) => return format!("resolve: {}", code.name()),
        }
    }
}
