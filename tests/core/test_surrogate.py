import jax
import jax.numpy as jnp
import numpy as np
import pytest

from neurosim.core.surrogate import as_surrogate, spike, surrogate
from neurosim.errors import ValidationError

FAMILIES = ["fast_sigmoid", "arctan", "triangle", "rectangle", "sigmoid"]


def test_forward_is_strict_heaviside():
    x = jnp.array([-1.0, -1e-7, 0.0, 1e-7, 2.0])
    np.testing.assert_array_equal(spike(x, surrogate()), [0, 0, 0, 1, 1])


@pytest.mark.parametrize("name", FAMILIES)
def test_surrogate_grad_matches_finite_difference_of_smooth_function(name):
    sg = surrogate(name)
    # avoid the kinks of triangle/rectangle where a central difference is ill-defined
    x = jnp.linspace(-1.7, 1.7, 41) + 0.0123
    grad = jax.vmap(jax.grad(lambda v: spike(v, sg)))(x)
    h = 1e-3
    x64 = np.asarray(x, np.float64)
    fd = (np.asarray(sg.smooth(jnp.asarray(x64 + h))) - np.asarray(sg.smooth(jnp.asarray(x64 - h)))) / (2 * h)
    np.testing.assert_allclose(grad, fd, atol=2e-3 * max(1.0, float(np.max(np.abs(fd)))))
    assert float(jnp.max(grad)) > 0


def test_height_scales_gradient_and_validation():
    g1 = jax.grad(lambda v: spike(v, surrogate("triangle")))(0.2)
    g2 = jax.grad(lambda v: spike(v, surrogate("triangle", height=0.7)))(0.2)
    assert float(g2) == pytest.approx(0.7 * float(g1))
    with pytest.raises(ValidationError, match="surrogate"):
        surrogate("nope")
    with pytest.raises(ValidationError, match="surrogate scale"):
        surrogate("arctan", scale=-1.0)
    assert as_surrogate(("arctan", 3.0)).scale == 3.0
