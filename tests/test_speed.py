"""Tests of snippets/cifar10/speed.py: the training step, CUDA graphs, the warm-up schedule."""

from __future__ import annotations

import pytest
import torch

from snippets.cifar10 import Net
from snippets.cifar10.speed import GraphedTrainStep, train_step, warmup_cosine


def test_warmup_rises_linearly_then_decays_to_zero():
    factors = [warmup_cosine(step, 4, 12) for step in range(12)]
    assert factors[:4] == [0.25, 0.5, 0.75, 1.0]
    assert factors[4:] == sorted(factors[4:], reverse=True) and factors[-1] < 0.05
    with pytest.raises(ValueError, match="need 1 <= warmup_steps <= total_steps"):
        warmup_cosine(0, 0, 10)


@pytest.mark.parametrize("autocast", [None, "cpu"])
def test_a_training_step_updates_the_weights(autocast):
    torch.manual_seed(0)
    model = Net()
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1)
    before = model.fc3.weight.clone()
    loss = train_step(model, optimizer, torch.randn(8, 3, 32, 32), torch.arange(8), autocast)
    assert loss.dtype == torch.float32 and not torch.equal(model.fc3.weight, before)
    assert model.fc3.weight.dtype == torch.float32  # autocast never changes the weights


def test_a_cuda_graph_needs_a_model_on_a_cuda_device():
    model = Net()
    with pytest.raises(ValueError, match="need a model on a CUDA device, got cpu"):
        GraphedTrainStep(model, torch.optim.SGD(model.parameters(), lr=0.1), batch_size=8)


@pytest.mark.gpu
def test_a_graphed_step_trains_like_an_eager_one():
    torch.manual_seed(0)
    eager, graphed_model = Net().cuda(), Net().cuda()
    graphed_model.load_state_dict(eager.state_dict())
    graphed_model = graphed_model.to(memory_format=torch.channels_last)
    images, labels = torch.randn(16, 3, 32, 32, device="cuda"), torch.arange(16, device="cuda") % 10
    eager_optimizer = torch.optim.SGD(eager.parameters(), lr=0.01, momentum=0.9)
    step = GraphedTrainStep(
        graphed_model, torch.optim.SGD(graphed_model.parameters(), lr=0.01, momentum=0.9), 16
    )
    for _ in range(3):
        eager_loss = train_step(eager, eager_optimizer, images, labels)
        graphed_loss = step(images, labels)
    torch.testing.assert_close(graphed_loss, eager_loss, rtol=1e-3, atol=1e-3)
    with pytest.raises(ValueError, match="captured for batches of"):
        step(images[:8], labels[:8])
