import pytest
import torch

from core.models import AutoEncoder, ModelConfig, VariationalAutoEncoder, build_model
from core.training import new_model
from tests.benchmarks import lab_reference as lab


@pytest.mark.parametrize("kind", ["ae", "vae"])
@pytest.mark.parametrize("latent", [2, 10, 64])
def test_shapes_and_interface(kind, latent):
    model = build_model(ModelConfig(kind, latent)).eval()
    x = torch.rand(5, 1, 28, 28)
    z = model.encode(x)
    assert z.shape == (5, latent)
    image = model.decode(z)
    assert image.shape == (5, 1, 28, 28)
    assert 0 <= image.min() and image.max() <= 1
    out = model(x)
    assert len(out) == (2 if kind == "ae" else 3)
    assert torch.allclose(out[0], image)
    assert model.kind == kind and model.latent_dim == latent


@pytest.mark.parametrize("bad", [1, 65, 0, "10", 10.0])
def test_latent_size_is_validated(bad):
    with pytest.raises(ValueError, match="Latent size"):
        ModelConfig("vae", bad)
    with pytest.raises(ValueError, match="kind"):
        ModelConfig("gan", 10)


def test_vae_samples_only_when_training():
    torch.manual_seed(0)
    vae = VariationalAutoEncoder(10)
    x = torch.rand(4, 1, 28, 28)
    mu, logvar = vae.encode_distribution(x)
    vae.eval()
    assert torch.equal(vae(x)[0], vae.decode(mu))
    vae.train()
    assert not torch.allclose(vae(x)[0], vae.decode(mu))


def _lab_names(kind: str) -> dict[str, str]:
    """Our parameter names → the lab's, layer for layer."""
    if kind == "ae":
        return {
            "encoder.0": "encoder.0",
            "encoder.2": "encoder.2",
            "linear_z": "encoder.5",
            "decoder.linear": "decoder_linear",
            "decoder.model.0": "decoder.0",
            "decoder.model.2": "decoder.2",
        }
    return {
        "encoder.0": "encoder.model.0",
        "encoder.2": "encoder.model.2",
        "linear_mu": "encoder.linear_mu",
        "linear_logvar": "encoder.linear_logvar",
        "decoder.linear": "decoder.linear",
        "decoder.model.0": "decoder.model.0",
        "decoder.model.2": "decoder.model.2",
    }


@pytest.mark.parametrize("kind", ["ae", "vae"])
def test_same_seed_gives_the_labs_initial_weights_and_outputs(kind):
    ours = new_model(ModelConfig(kind, 10), seed=3).eval()
    torch.manual_seed(3)
    theirs = (lab.AutoEncoder(10) if kind == "ae" else lab.VariationalAutoencoder(10)).eval()
    lab_state = theirs.state_dict()
    names = _lab_names(kind)
    for key, value in ours.state_dict().items():
        layer, _, param = key.rpartition(".")
        assert torch.equal(value, lab_state[f"{names[layer]}.{param}"]), key
    x = torch.rand(3, 1, 28, 28)
    for a, b in zip(ours(x), theirs(x), strict=True):
        assert torch.allclose(a, b, atol=1e-6)


def test_parameter_count_matches_the_lab():
    assert sum(p.numel() for p in AutoEncoder(10).parameters()) == sum(
        p.numel() for p in lab.AutoEncoder(10).parameters()
    )
