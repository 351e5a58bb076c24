//! HTTPS for the stand-in: a throwaway CA, made per server, signs a certificate for
//! `localhost` and `127.0.0.1`; the CA certificate is written as PEM for the workflow's
//! `sslConfig.certificatePath`.

use rcgen::{
    BasicConstraints, CertificateParams, CertifiedIssuer, DnType, ExtendedKeyUsagePurpose, IsCa,
    KeyPair, KeyUsagePurpose,
};
use rustls::ServerConfig;
use rustls::pki_types::{PrivateKeyDer, PrivatePkcs8KeyDer};
use std::path::PathBuf;
use std::sync::Arc;

pub(crate) struct Tls {
    pub config: Arc<ServerConfig>,
    /// The CA certificate (PEM) that verifies the server.
    pub ca_certificate: PathBuf,
    /// Holds `ca_certificate` until the server is dropped.
    _dir: tempfile::TempDir,
}

impl Tls {
    pub fn new() -> Tls {
        let (ca, server_cert, server_key) =
            certificates(&["localhost", "127.0.0.1"], "e2e OpenMetadata stand-in CA");
        let provider = Arc::new(rustls::crypto::ring::default_provider());
        let config = ServerConfig::builder_with_provider(provider)
            .with_safe_default_protocol_versions()
            .expect("TLS versions")
            .with_no_client_auth()
            .with_single_cert(
                vec![server_cert.der().clone(), ca.der().clone()],
                PrivateKeyDer::Pkcs8(PrivatePkcs8KeyDer::from(server_key.serialize_der())),
            )
            .expect("server certificate and key match");

        let dir = tempfile::tempdir().expect("a directory for the CA certificate");
        let ca_certificate = dir.path().join("ca.pem");
        std::fs::write(&ca_certificate, ca.pem()).expect("write the CA certificate");
        Tls {
            config: Arc::new(config),
            ca_certificate,
            _dir: dir,
        }
    }
}

/// A throwaway CA named `ca_name`, and a server certificate for `names` (host names or IP
/// addresses) signed by it, with the server's key.
pub(crate) fn certificates(
    names: &[&str],
    ca_name: &str,
) -> (
    CertifiedIssuer<'static, KeyPair>,
    rcgen::Certificate,
    KeyPair,
) {
    let mut ca_params = CertificateParams::new(Vec::<String>::new()).expect("CA params");
    ca_params.is_ca = IsCa::Ca(BasicConstraints::Unconstrained);
    ca_params
        .distinguished_name
        .push(DnType::CommonName, ca_name);
    ca_params.key_usages = vec![
        KeyUsagePurpose::KeyCertSign,
        KeyUsagePurpose::CrlSign,
        KeyUsagePurpose::DigitalSignature,
    ];
    let ca = CertifiedIssuer::self_signed(ca_params, KeyPair::generate().expect("CA key"))
        .expect("CA certificate");
    let key = KeyPair::generate().expect("server key");
    let mut params =
        CertificateParams::new(names.iter().map(|n| n.to_string()).collect::<Vec<_>>())
            .expect("server params");
    params.distinguished_name.push(DnType::CommonName, names[0]);
    params.extended_key_usages = vec![ExtendedKeyUsagePurpose::ServerAuth];
    params.use_authority_key_identifier_extension = true;
    let certificate = params.signed_by(&key, &ca).expect("server certificate");
    (ca, certificate, key)
}
