"""The lab's own pipeline, as its notebook runs it: DataLoader + ToTensor, fp32, batch 128.

Models, losses and loops are copied from ../shared/reference (the lab), with the notebook's
tqdm bars removed and a timer per epoch added. Only the benchmark uses this file.
"""

from __future__ import annotations

import time

import torch
import torch.nn as nn
import torch.nn.functional as F
from torch.utils.data import DataLoader


class AutoEncoder(nn.Module):
    def __init__(self, latent_dimension):
        super().__init__()
        self.encoder = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
            nn.Linear(in_features=64 * 7 * 7, out_features=latent_dimension),
        )
        self.decoder_linear = nn.Linear(in_features=latent_dimension, out_features=64 * 7 * 7)
        self.decoder = nn.Sequential(
            nn.ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(32, 1, kernel_size=4, stride=2, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, x):
        z = self.encoder(x)
        hat_x = F.relu(self.decoder_linear(z))
        hat_x = hat_x.view(-1, 64, 7, 7)
        hat_x = self.decoder(hat_x)
        return hat_x, z


class Encoder(nn.Module):
    def __init__(self, latent_dimension):
        super().__init__()
        self.model = nn.Sequential(
            nn.Conv2d(1, 32, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.Conv2d(32, 64, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.Flatten(),
        )
        self.linear_mu = nn.Linear(in_features=64 * 7 * 7, out_features=latent_dimension)
        self.linear_logvar = nn.Linear(in_features=64 * 7 * 7, out_features=latent_dimension)

    def forward(self, x):
        x = self.model(x)
        return self.linear_mu(x), self.linear_logvar(x)


class Decoder(nn.Module):
    def __init__(self, latent_dimension):
        super().__init__()
        self.linear = nn.Linear(in_features=latent_dimension, out_features=64 * 7 * 7)
        self.model = nn.Sequential(
            nn.ConvTranspose2d(64, 32, kernel_size=4, stride=2, padding=1),
            nn.ReLU(),
            nn.ConvTranspose2d(32, 1, kernel_size=4, stride=2, padding=1),
            nn.Sigmoid(),
        )

    def forward(self, z):
        hat_x = F.relu(self.linear(z))
        hat_x = hat_x.view(-1, 64, 7, 7)
        return self.model(hat_x)


class VariationalAutoencoder(nn.Module):
    def __init__(self, latent_dim):
        super().__init__()
        self.encoder = Encoder(latent_dim)
        self.decoder = Decoder(latent_dim)

    def forward(self, x):
        latent_mu, latent_logvar = self.encoder(x)
        z = self.latent_sample(latent_mu, latent_logvar)
        return self.decoder(z), latent_mu, latent_logvar

    def latent_sample(self, mu, logvar):
        if self.training:
            std = logvar.mul(0.5).exp_()
            eps = torch.empty_like(std).normal_()
            return eps.mul(std).add_(mu)
        return mu


def vae_loss(hat_x, x, mu, logvar, beta=1.0):
    reconstruction_loss = F.binary_cross_entropy(
        hat_x.view(-1, 28 * 28), x.view(-1, 28 * 28), reduction="sum"
    )
    kl_divergence = -0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())
    return reconstruction_loss + beta * kl_divergence


def train_ae(net, train_dataset, epochs=10, learning_rate=1e-3, batch_size=128, on_epoch=None):
    """The lab's ``train`` (note its DataLoader uses num_workers=2)."""
    train_dataloader = DataLoader(train_dataset, batch_size=batch_size, shuffle=True, num_workers=2)
    optimizer = torch.optim.Adam(params=net.parameters(), lr=learning_rate, weight_decay=1e-5)
    criterion = nn.MSELoss()
    net = net.train()
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        for images, _ in train_dataloader:
            reconstructions, _ = net(images)
            loss = criterion(reconstructions, images)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if on_epoch:
            on_epoch(epoch, time.perf_counter() - start)
    return net


def train_vae(net, train_dataset, epochs=10, learning_rate=1e-3, batch_size=128, on_epoch=None):
    """The lab's ``train_vae``."""
    train_dataloader = DataLoader(train_dataset, batch_size=batch_size, shuffle=True)
    optimizer = torch.optim.Adam(params=net.parameters(), lr=learning_rate, weight_decay=1e-5)
    net = net.train()
    for epoch in range(1, epochs + 1):
        start = time.perf_counter()
        for images, _ in train_dataloader:
            reconstructions, latent_mu, latent_logvar = net(images)
            loss = vae_loss(reconstructions, images, latent_mu, latent_logvar)
            optimizer.zero_grad()
            loss.backward()
            optimizer.step()
        if on_epoch:
            on_epoch(epoch, time.perf_counter() - start)
    return net


@torch.no_grad()
def test_metrics(net, test_dataset) -> dict:
    """Test metrics as our CLI reports them, computed the lab's way (fp32, z = μ)."""
    loader = DataLoader(test_dataset, batch_size=128, shuffle=False)
    net.eval()
    sq = bce = kl = 0.0
    n = 0
    for images, _ in loader:
        out = net(images)
        sq += torch.sum((out[0] - images) ** 2).item()
        if len(out) == 3:
            _, mu, logvar = out
            bce += F.binary_cross_entropy(out[0].view(-1, 784), images.view(-1, 784), reduction="sum").item()
            kl += (-0.5 * torch.sum(1 + logvar - mu.pow(2) - logvar.exp())).item()
        n += len(images)
    metrics = {"test_mse": sq / (n * 784)}
    if isinstance(net, VariationalAutoencoder):
        metrics.update(test_bce=bce / n, test_kl=kl / n, test_loss=(bce + kl) / n)
    else:
        metrics["test_loss"] = metrics["test_mse"]
    return metrics
