"""PKI core: PKCS#11 token access, X.509/CRL building, PAdES signing and validation,
and the round seal image.

Pure Python, no Flask and no database. Import the submodules directly
(``app.pki.token``, ``app.pki.x509``, ``app.pki.signer``, ``app.pki.verify``,
``app.pki.seal_image``); nothing heavy is loaded by importing this package.
"""
